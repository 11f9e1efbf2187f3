package io.github.sparknpy.npy.io;

import java.io.IOException;
import java.nio.file.ClosedWatchServiceException;
import java.nio.file.FileSystems;
import java.nio.file.Path;
import java.nio.file.StandardWatchEventKinds;
import java.nio.file.WatchEvent;
import java.nio.file.WatchKey;
import java.nio.file.WatchService;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Tells a writer, without a system call per write, that the name of the file it writes may now name
 * another file (renamed over, deleted, created anew): one OS file watch per folder (inotify on
 * Linux), shared by every writer of this JVM, read by one daemon thread that marks the writers of
 * that name as {@link Registration#suspect() suspect}. A suspect writer compares the file's
 * identity with the path's once (a {@code stat}) and clears the mark if they still agree.
 *
 * <p>The OS reports a rename a few microseconds after it happens, so a write that races the rename
 * itself can still go to the old file, as it could with a check before every write. Where the
 * platform's watch only polls (macOS, some network file systems) or a folder cannot be watched,
 * registrations stay suspect: the writer then checks before every write, as it would without this.
 */
public final class ReplacementWatch {
  /** A writer's interest in one file name; {@link #close} it with the writer. */
  public static final class Registration implements AutoCloseable {
    private final Path dir;
    private final Path name;
    private volatile boolean watched;
    private volatile boolean suspect;

    private Registration(Path dir, Path name, boolean watched) {
      this.dir = dir;
      this.name = name;
      this.watched = watched;
      this.suspect = !watched;
    }

    /** True if the name may no longer name the writer's file: check its identity. */
    public boolean suspect() {
      return suspect;
    }

    /**
     * Clears the mark before the writer checks the identity, so that a change reported during the
     * check marks it again.
     */
    public void clear() {
      if (watched) {
        suspect = false;
      }
    }

    /** Marks the registration suspect again (the check found the file replaced). */
    public void mark() {
      suspect = true;
    }

    @Override
    public void close() {
      if (watched) {
        unregister(this);
      }
    }
  }

  private static final Object LOCK = new Object();
  private static WatchService service;
  private static boolean unavailable;
  private static final Map<Path, WatchKey> KEYS = new HashMap<>();
  private static final Map<WatchKey, List<Registration>> REGISTRATIONS = new HashMap<>();

  private ReplacementWatch() {}

  /** Starts watching {@code file}'s name (an absolute, normalized path is best). */
  public static Registration register(Path file) {
    Path absolute = file.toAbsolutePath().normalize();
    Path dir = absolute.getParent();
    Path name = absolute.getFileName();
    if (dir == null || name == null) {
      return new Registration(dir, name, false);
    }
    synchronized (LOCK) {
      WatchService ws = service();
      if (ws == null) {
        return new Registration(dir, name, false);
      }
      WatchKey key = KEYS.get(dir);
      if (key == null) {
        try {
          key =
              dir.register(
                  ws, StandardWatchEventKinds.ENTRY_CREATE, StandardWatchEventKinds.ENTRY_DELETE);
        } catch (IOException | UnsupportedOperationException e) {
          return new Registration(dir, name, false); // e.g. out of inotify watches
        }
        KEYS.put(dir, key);
      }
      Registration r = new Registration(dir, name, true);
      REGISTRATIONS.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
      return r;
    }
  }

  private static void unregister(Registration r) {
    synchronized (LOCK) {
      WatchKey key = KEYS.get(r.dir);
      if (key == null) {
        return;
      }
      List<Registration> list = REGISTRATIONS.get(key);
      if (list != null && list.remove(r) && list.isEmpty()) {
        REGISTRATIONS.remove(key);
        KEYS.remove(r.dir);
        key.cancel();
      }
    }
  }

  /** The shared service and its thread, started at the first registration; null if none works. */
  private static WatchService service() {
    if (service != null || unavailable) {
      return service;
    }
    try {
      WatchService ws = FileSystems.getDefault().newWatchService();
      if (ws.getClass().getName().contains("Polling")) {
        // The JDK's fallback polls every few seconds: a check per write is the safer choice.
        ws.close();
        unavailable = true;
        return null;
      }
      Thread t = new Thread(() -> dispatch(ws), "npy-replacement-watch");
      t.setDaemon(true);
      t.start();
      service = ws;
    } catch (IOException | UnsupportedOperationException e) {
      unavailable = true;
    }
    return service;
  }

  private static void dispatch(WatchService ws) {
    while (true) {
      WatchKey key;
      try {
        key = ws.take();
      } catch (InterruptedException | ClosedWatchServiceException e) {
        return;
      }
      List<WatchEvent<?>> events = key.pollEvents();
      synchronized (LOCK) {
        List<Registration> list = REGISTRATIONS.getOrDefault(key, List.of());
        for (WatchEvent<?> event : events) {
          Object context = event.context();
          for (Registration r : list) {
            // An overflow loses names: every writer of the folder checks.
            if (event.kind() == StandardWatchEventKinds.OVERFLOW || r.name.equals(context)) {
              r.suspect = true;
            }
          }
        }
        if (!key.reset()) {
          // The folder itself is gone or unwatchable: its writers check before every write.
          for (Registration r : list) {
            r.watched = false;
            r.suspect = true;
          }
          KEYS.values().remove(key);
          REGISTRATIONS.remove(key);
        }
      }
    }
  }
}
