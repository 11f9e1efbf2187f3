package io.github.sparknpy.npy.io;

import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.Field;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;

/**
 * Unmaps a mapping its owner is done with, instead of leaving it to the garbage collector (which
 * may not run for hours in a quiet program, while each mapping counts against the process's limit
 * of mappings). Uses {@code sun.misc.Unsafe.invokeCleaner} from the JDK's {@code jdk.unsupported}
 * module, as Lucene and Netty do; where that is unavailable the collector unmaps it later. The
 * caller must make sure nothing touches the buffer afterwards: an access would crash the JVM.
 */
public final class Unmapper {
  private static final MethodHandle INVOKE_CLEANER = lookup();

  private Unmapper() {}

  /** Unmaps {@code buffer} now if the JDK allows it; otherwise does nothing. */
  public static void unmap(MappedByteBuffer buffer) {
    if (buffer == null || INVOKE_CLEANER == null) {
      return;
    }
    try {
      INVOKE_CLEANER.invoke((ByteBuffer) buffer);
    } catch (Throwable e) {
      // Left to the garbage collector.
    }
  }

  private static MethodHandle lookup() {
    try {
      Class<?> unsafeClass = Class.forName("sun.misc.Unsafe");
      Field f = unsafeClass.getDeclaredField("theUnsafe");
      f.setAccessible(true);
      Object unsafe = f.get(null);
      return MethodHandles.lookup()
          .findVirtual(
              unsafeClass, "invokeCleaner", MethodType.methodType(void.class, ByteBuffer.class))
          .bindTo(unsafe);
    } catch (ReflectiveOperationException | RuntimeException e) {
      return null;
    }
  }
}
