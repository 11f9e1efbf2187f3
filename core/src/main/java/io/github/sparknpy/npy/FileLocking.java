package io.github.sparknpy.npy;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.locks.LockSupport;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Exclusive access to a file for one read-modify-write step, across threads of this JVM (a lock per
 * path) and across processes (an OS file lock). The JVM lock comes first because the OS lock is per
 * process: two channels of one JVM locking the same file would otherwise clash.
 */
final class FileLocking {
  /** Work done while holding the lock. */
  interface Step<T> {
    T run() throws IOException;
  }

  private static final Map<Path, Entry> LOCKS = new HashMap<>();

  /** How long a reader waits for the shared lock before reading unlocked (see sharedLock). */
  private static final long SHARED_WAIT_MILLIS = 10_000;

  private static final class Entry {
    final ReentrantLock lock = new ReentrantLock();
    int users;
  }

  private FileLocking() {}

  static <T> T exclusive(Path path, FileChannel channel, Step<T> step) throws IOException {
    return locked(path, channel, false, step);
  }

  /**
   * Runs {@code step} while no writer of this library, in this JVM or another process, is between
   * the writes of one append (data, then header): a reader then sees the header and the file length
   * of one moment. Takes the OS lock shared, so readers in other processes do not wait for each
   * other (those of this JVM do, briefly, as the JVM allows one lock per file). On a file system
   * without locks the step runs unlocked.
   */
  static <T> T shared(Path path, FileChannel channel, Step<T> step) throws IOException {
    return locked(path, channel, true, step);
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

  private static <T> T locked(Path path, FileChannel channel, boolean shared, Step<T> step)
      throws IOException {
    Path key = path.toAbsolutePath().normalize();
    Entry entry;
    synchronized (LOCKS) {
      entry = LOCKS.computeIfAbsent(key, k -> new Entry());
      entry.users++;
    }
    entry.lock.lock();
    try {
      FileLock osLock;
      try {
        osLock = shared ? sharedLock(channel) : channel.lock();
      } catch (IOException e) {
        if (!shared) {
          throw e;
        }
        return step.run();
      }
      if (osLock == null) {
        return step.run();
      }
      try {
        return step.run();
      } finally {
        if (osLock.isValid()) {
          osLock.release();
        }
      }
    } finally {
      entry.lock.unlock();
      synchronized (LOCKS) {
        if (--entry.users == 0) {
          LOCKS.remove(key);
        }
      }
    }
  }
}
