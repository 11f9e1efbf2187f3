package io.github.sparknpy.npy.io;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
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
 * which defers the close until the lock is released.
 */
public final class FileLocking {
  /** Work done while holding the lock. */
  public interface Step<T> {
    T run() throws IOException;
  }

  private static final Map<Path, Entry> LOCKS = new HashMap<>();

  /** How long a reader waits for the shared lock before reading unlocked (see sharedLock). */
  private static final long SHARED_WAIT_MILLIS = 10_000;

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int users;

    /** An OS lock is held, or being taken, by a thread of this JVM: closes must wait. */
    boolean osLockHeld;

    final List<FileChannel> deferredCloses = new ArrayList<>();
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
    return locked(key, channel, false, step);
  }

  /**
   * Runs {@code step} while no writer of this library, in this JVM or another process, is between
   * the writes of one append (data, then header): a reader then sees the header and the file length
   * of one moment. Takes the OS lock shared, so readers in other processes do not wait for each
   * other (those of this JVM do, briefly, as the JVM allows one lock per file). On a file system
   * without locks the step runs unlocked.
   */
  public static <T> T shared(Path key, FileChannel channel, Step<T> step) throws IOException {
    return locked(key, channel, true, step);
  }

  /**
   * Closes a channel of {@code path} opened by this library for reading. If a thread of this JVM
   * holds an OS lock on the file, the close waits until that lock is released (it happens then, in
   * the releasing thread), since closing now would release the lock. Never throws: a failed close
   * of a read channel loses nothing.
   */
  public static void close(Path path, FileChannel channel) {
    Path key = key(path);
    synchronized (LOCKS) {
      Entry entry = LOCKS.get(key);
      if (entry != null && entry.osLockHeld && channel.isOpen()) {
        entry.deferredCloses.add(channel);
        return;
      }
      // Inside the monitor: no thread can start taking an OS lock on this file meanwhile.
      closeQuietly(channel);
    }
  }

  private static <T> T locked(Path key, FileChannel channel, boolean shared, Step<T> step)
      throws IOException {
    Held held = acquire(key, channel, shared);
    try {
      return step.run();
    } finally {
      release(held);
    }
  }

  /**
   * Takes the JVM lock of the file, then its OS lock (exclusive: waits; shared: see {@link
   * #sharedLock}). A shared lock that cannot be had leaves the caller unlocked at the OS level.
   *
   * @param key the file's {@link #key}
   */
  public static Held acquire(Path key, FileChannel channel, boolean shared) throws IOException {
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
      synchronized (LOCKS) {
        entry.osLockHeld = true;
      }
      FileLock osLock;
      try {
        osLock = shared ? sharedLock(channel) : channel.lock();
      } catch (IOException e) {
        if (!shared) {
          throw e;
        }
        osLock = null; // a file system without locks: read unlocked
      }
      return new Held(key, entry, osLock, false);
    } catch (IOException | RuntimeException | Error e) {
      unlock(key, entry, false);
      throw e;
    }
  }

  public static void release(Held held) throws IOException {
    try {
      if (held.osLock != null && held.osLock.isValid()) {
        held.osLock.release();
      }
    } finally {
      unlock(held.key, held.entry, held.nested);
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
   * The shared OS lock, polled for up to {@link #SHARED_WAIT_MILLIS}: while a writer holds the file
   * (one append, normally micro- to milliseconds), or while code of this JVM that does not go
   * through this class holds a lock on it (the JVM refuses a second one at once instead of
   * blocking). Null if it is still held then (a writer stopped mid-append, e.g. suspended) or the
   * thread is interrupted: readers are never blocked for longer, and then read unlocked.
   */
  private static FileLock sharedLock(FileChannel channel) throws IOException {
    long deadline = System.nanoTime() + SHARED_WAIT_MILLIS * 1_000_000;
    for (int attempt = 0; ; attempt++) {
      try {
        FileLock lock = channel.tryLock(0, Long.MAX_VALUE, true);
        if (lock != null) {
          return lock;
        }
      } catch (OverlappingFileLockException e) {
        // Held in this JVM outside FileLocking: wait as for another process.
      }
      if (System.nanoTime() > deadline) {
        return null;
      }
      if (attempt < 100) {
        Thread.yield();
      } else {
        LockSupport.parkNanos(100_000);
        if (Thread.currentThread().isInterrupted()) {
          return null; // stop waiting, read unlocked; the interrupt stays set for the caller
        }
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
