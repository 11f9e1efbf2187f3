package io.github.sparknpy.npy.io;

import io.github.sparknpy.npy.error.NpyFileBusyException;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive access to a file for one read-modify-write step, across threads of this JVM (a lock per
 * file) and across processes (an OS file lock). The JVM lock comes first because the OS lock is per
 * process: two channels of one JVM locking the same file would otherwise clash.
 *
 * <p>OS file locks on Linux are POSIX {@code fcntl} locks, owned by the process: closing
 * <em>any</em> descriptor of the file, even one that never locked, releases every lock the process
 * holds on it (and {@code FileLock.isValid()} still says true). So while this JVM holds a lock on a
 * file, the code holding it must use only the locked channel ({@code ExclusiveFile} hands it out),
 * and every other channel of that file that this library opens is closed through {@link #close},
 * which defers the close until the lock is released. A holder closes its own channel through {@link
 * #releaseAndClose} or {@link Lease#release()}, before another thread of this JVM can lock the
 * file: closed after, it would drop that thread's lock.
 *
 * <p>A {@link Lease} is the lock held by one appender from its first append to its close, not by a
 * thread: appends then cost no lock system calls. While a lease is held, other exclusive steps in
 * this JVM are refused at once ({@link NpyFileBusyException}) instead of waiting for a close the
 * same program would have to make; other processes wait for the OS lock as for any holder. A
 * channel of the leased file that this JVM closes drops the process's POSIX lock, so {@link #close}
 * takes it again on the lease's channel at once, and marks the lease {@link Lease#enter lost} if
 * another process got it in between.
 */
public final class FileLocking {
  /** Work done while holding the lock. */
  public interface Step<T> {
    T run() throws IOException;
  }

  private static final Map<Path, Entry> LOCKS = new HashMap<>();

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int users;

    /** An OS lock is held, or being taken, by a thread of this JVM: closes must wait. */
    boolean osLockHeld;

    final List<FileChannel> deferredCloses = new ArrayList<>();

    /** The appender holding this file from open to close, if any. */
    Lease lease;
  }

  /**
   * The exclusive lock of a file held by one appender between {@link #hold} and {@link #release()}
   * (any thread may call either). Each write goes between {@link #enter} and {@link #exit}, which
   * only keep this JVM's closes of the file from dropping the OS lock mid-write.
   */
  public static final class Lease {
    private final Path key;
    private final Entry entry;
    private final FileChannel channel;
    private final ReentrantLock guard = new ReentrantLock();
    private FileLock osLock;
    private boolean lost;

    /**
     * The OS lock was dropped since the last write, even if it was taken again at once: another
     * process may have written the file in between.
     */
    private boolean interrupted;

    private boolean released;

    private Lease(Path key, Entry entry, FileChannel channel, FileLock osLock) {
      this.key = key;
      this.entry = entry;
      this.channel = channel;
      this.osLock = osLock;
    }

    /**
     * Starts a write. Returns true if the OS lock was dropped since the last write (a close of
     * another descriptor of the file in this JVM): it is held again now (waited for, if another
     * process took it), and the file may have changed in between, so the caller reads its length
     * again.
     */
    public boolean enter() throws IOException {
      guard.lock();
      if (!interrupted) {
        return false;
      }
      try {
        if (lost) {
          releaseStale();
          osLock = channel.lock();
          lost = false;
        }
        interrupted = false;
        return true;
      } catch (IOException | RuntimeException e) {
        guard.unlock();
        throw e;
      }
    }

    /** Ends a write started by {@link #enter}. */
    public void exit() {
      guard.unlock();
    }

    /**
     * Releases the lock and closes the lease's channel; idempotent. The channel is closed before
     * this JVM's other threads may lock the file: closed later, it would drop their lock.
     */
    public void release() throws IOException {
      guard.lock();
      boolean first = !released;
      try {
        released = true;
        if (first) {
          try {
            if (osLock != null && osLock.isValid()) {
              osLock.release();
            }
          } finally {
            channel.close();
          }
        }
      } finally {
        guard.unlock();
        if (first) {
          synchronized (LOCKS) {
            if (entry.lease == this) {
              entry.lease = null;
            }
            if (--entry.users == 0) {
              LOCKS.remove(key);
            }
          }
        }
      }
    }

    /**
     * Closes another channel of the leased file and takes the OS lock again on the lease's. A
     * process waiting for the lock may get it, and append, before that: the next write reads the
     * file's length again either way. Returns false, closing nothing, if the lease was released
     * meanwhile: the file may have another holder now, whom the caller must ask instead.
     */
    private boolean closeAndRetake(FileChannel other) throws IOException {
      IOException failure = null;
      guard.lock();
      try {
        if (released) {
          return false;
        }
        try {
          other.close();
        } catch (IOException e) {
          failure = e; // reported once the lock is taken again
        }
        interrupted = true;
        releaseStale();
        FileLock again = channel.tryLock();
        if (again == null) {
          lost = true; // another process got it: the next write waits for it again
        } else {
          osLock = again;
        }
      } catch (IOException | OverlappingFileLockException e) {
        lost = true;
      } finally {
        guard.unlock();
      }
      if (failure != null) {
        throw failure;
      }
      return true;
    }

    /** Forgets a lock the kernel dropped (the JVM still lists it, and would refuse a new one). */
    private void releaseStale() throws IOException {
      if (osLock != null) {
        FileLock stale = osLock;
        osLock = null;
        if (stale.isValid()) {
          stale.release(); // unlocks nothing the kernel still holds for this process
        }
      }
    }
  }

  /** A lock taken by {@link #acquire}; {@link #release} it in the same thread. */
  public static final class Held {
    private final Path key;
    private final Entry entry;
    private final FileLock osLock;
    private final boolean nested;

    private Held(Path key, Entry entry, FileLock osLock, boolean nested) {
      this.key = key;
      this.entry = entry;
      this.osLock = osLock;
      this.nested = nested;
    }
  }

  private FileLocking() {}

  /** Runs {@code step} under the exclusive lock of the file whose {@link #key} is {@code key}. */
  public static <T> T exclusive(Path key, FileChannel channel, Step<T> step) throws IOException {
    return locked(key, channel, step);
  }

  /**
   * Runs {@code step} under the exclusive lock of {@code path}, taken on {@code channel}, a channel
   * opened for this step alone, and closes it: as {@link #releaseAndClose} does, or as {@link
   * #close} does if the lock was refused or could not be taken (closing it plainly would drop the
   * lock of the file's holder in this JVM).
   */
  public static <T> T exclusiveThenClose(Path path, FileChannel channel, Step<T> step)
      throws IOException {
    Path key = key(path);
    Held held;
    try {
      held = acquire(key, channel);
    } catch (IOException | RuntimeException e) {
      close(key, channel);
      throw e;
    }
    try {
      return step.run();
    } finally {
      releaseAndClose(held, channel);
    }
  }

  /**
   * Closes a channel of {@code path} that this library opened and holds no lock on. If a thread of
   * this JVM holds an OS lock on the file, the close waits until that lock is released (it happens
   * then, in the releasing thread), since closing now would release the lock; if an appender holds
   * it, its lease takes the lock again. Never throws: for channels nothing was written through,
   * whose failed close loses nothing.
   */
  public static void close(Path path, FileChannel channel) {
    try {
      closeReporting(path, channel);
    } catch (IOException e) {
      // nothing was written through it
    }
  }

  /**
   * {@link #close} for a channel rows were written through: a failure of a close made now is
   * thrown, since some file systems (NFS) report a failed write only there.
   */
  public static void closeReporting(Path path, FileChannel channel) throws IOException {
    Path key = key(path);
    while (true) {
      Lease lease;
      synchronized (LOCKS) {
        Entry entry = LOCKS.get(key);
        lease = entry == null ? null : entry.lease;
        if (lease == null && entry != null && entry.osLockHeld && channel.isOpen()) {
          entry.deferredCloses.add(channel);
          return;
        }
        if (lease == null) {
          // Inside the monitor: no thread can start taking an OS lock on this file meanwhile.
          channel.close();
          return;
        }
      }
      if (lease.closeAndRetake(channel)) {
        return;
      }
      Thread.onSpinWait(); // released, not yet forgotten by the entry: look again
    }
  }

  /**
   * Takes the file's exclusive lock for an appender until {@link Lease#release()}: waits for
   * exclusive steps of this JVM and for other processes.
   *
   * @throws NpyFileBusyException if another appender of this JVM holds a lease on it
   */
  public static Lease hold(Path key, FileChannel channel) throws IOException {
    Entry entry;
    synchronized (LOCKS) {
      entry = LOCKS.computeIfAbsent(key, k -> new Entry());
      entry.users++;
    }
    boolean held = false;
    entry.lock.lock();
    try {
      refuseIfLeased(key, entry);
      synchronized (LOCKS) {
        entry.osLockHeld = true; // a close of this file meanwhile waits for the lease
      }
      Lease lease = null;
      List<FileChannel> closedMeanwhile;
      try {
        lease = new Lease(key, entry, channel, channel.lock());
      } finally {
        synchronized (LOCKS) {
          // One step: a close never finds the lock taken but neither marked nor leased.
          entry.osLockHeld = false;
          entry.lease = lease;
          closedMeanwhile = new ArrayList<>(entry.deferredCloses);
          entry.deferredCloses.clear();
          if (lease == null) {
            closedMeanwhile.forEach(FileLocking::closeQuietly); // no lock taken: none to drop
          }
        }
      }
      held = true;
      for (FileChannel c : closedMeanwhile) {
        close(key, c); // each dropped the lease's new lock: the lease takes it again
      }
      return lease;
    } finally {
      entry.lock.unlock();
      if (!held) {
        synchronized (LOCKS) {
          if (--entry.users == 0) {
            LOCKS.remove(key);
          }
        }
      }
    }
  }

  private static void refuseIfLeased(Path key, Entry entry) {
    boolean leased;
    synchronized (LOCKS) {
      leased = entry.lease != null;
    }
    if (leased) {
      throw new NpyFileBusyException(
          ("Cannot lock %s: an NpyAppendArray in this JVM has it open for appending and holds it"
                  + " until its close(). Close that appender first, or build the appenders with"
                  + " holdLock(false) so that they take turns per append")
              .formatted(key));
    }
  }

  private static <T> T locked(Path key, FileChannel channel, Step<T> step) throws IOException {
    Held held = acquire(key, channel);
    try {
      return step.run();
    } finally {
      release(held);
    }
  }

  /**
   * Takes the JVM lock of the file, then its exclusive OS lock, waiting for both.
   *
   * @param key the file's {@link #key}
   * @throws NpyFileBusyException if an appender of this JVM holds a {@link Lease} on it
   */
  public static Held acquire(Path key, FileChannel channel) throws IOException {
    Entry entry;
    synchronized (LOCKS) {
      entry = LOCKS.computeIfAbsent(key, k -> new Entry());
      entry.users++;
    }
    entry.lock.lock();
    if (entry.lock.getHoldCount() > 1) {
      // This thread holds the file already (e.g. it reads the file it is writing): its OS lock
      // covers this step too, and a second one on another channel would be refused.
      return new Held(key, entry, null, true);
    }
    try {
      refuseIfLeased(key, entry);
      synchronized (LOCKS) {
        entry.osLockHeld = true;
      }
      return new Held(key, entry, channel.lock(), false);
    } catch (IOException | RuntimeException | Error e) {
      unlock(key, entry, false);
      throw e;
    }
  }

  /**
   * Releases {@code held} and closes {@code channel}, the channel it was taken on, before another
   * thread of this JVM can lock the file (closed after, it would drop that thread's lock). Inside a
   * nested hold the close waits for the outer holder's release.
   */
  public static void releaseAndClose(Held held, FileChannel channel) throws IOException {
    if (held.nested) {
      synchronized (LOCKS) {
        held.entry.deferredCloses.add(channel);
      }
      unlock(held.key, held.entry, true);
      return;
    }
    try {
      try {
        releaseOsLock(held);
      } finally {
        channel.close();
      }
    } finally {
      unlock(held.key, held.entry, false);
    }
  }

  public static void release(Held held) throws IOException {
    try {
      releaseOsLock(held);
    } finally {
      unlock(held.key, held.entry, held.nested);
    }
  }

  private static void releaseOsLock(Held held) throws IOException {
    if (held.osLock != null && held.osLock.isValid()) {
      held.osLock.release();
    }
  }

  private static void unlock(Path key, Entry entry, boolean nested) {
    if (!nested) {
      synchronized (LOCKS) {
        entry.osLockHeld = false;
        for (FileChannel c : entry.deferredCloses) {
          closeQuietly(c);
        }
        entry.deferredCloses.clear();
      }
    }
    entry.lock.unlock();
    synchronized (LOCKS) {
      if (--entry.users == 0) {
        LOCKS.remove(key);
      }
    }
  }

  /**
   * The file's identity for the JVM locks: its real path (links resolved), so a file reached
   * through a symbolic link shares the lock of its target; the normalized absolute path if it is
   * gone. Resolving costs a system call per path component: callers that lock often keep the key.
   */
  public static Path key(Path path) {
    try {
      return path.toRealPath();
    } catch (IOException e) {
      return path.toAbsolutePath().normalize();
    }
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // a read channel: nothing to lose
    }
  }
}
