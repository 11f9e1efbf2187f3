package io.github.sparknpy.it;

import java.io.IOException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;

/**
 * Fails the next job commits at one of their steps, through the connector's test hook ({@code
 * CommitFaults}) in the packaged jar the driver loaded: the commit runs on the driver, this JVM.
 */
final class ItCommitFaults implements AutoCloseable {
  private static final String PACKAGE = "io.github.sparknpy.spark.write.";

  private final Class<?> faults;

  private ItCommitFaults(Class<?> faults) {
    this.faults = faults;
  }

  /** Every commit from now on fails with an IOException when it reaches {@code step}. */
  static ItCommitFaults failAt(String step) throws ReflectiveOperationException {
    ClassLoader loader = SparkCluster.connectorLoader();
    Class<?> faults = Class.forName(PACKAGE + "CommitFaults", true, loader);
    Class<?> checkpoint = Class.forName(PACKAGE + "Checkpoint", true, loader);
    Object hook =
        Proxy.newProxyInstance(
            loader,
            new Class<?>[] {checkpoint},
            (proxy, method, args) -> {
              if (method.getDeclaringClass() == Object.class) {
                return switch (method.getName()) {
                  case "equals" -> proxy == args[0];
                  case "hashCode" -> System.identityHashCode(proxy);
                  default -> "ItCommitFaults(" + step + ")";
                };
              }
              if (String.valueOf(args[0]).equals(step)) {
                throw new IOException("injected: commit fails at " + step + " (" + args[1] + ")");
              }
              return null;
            });
    Method install = faults.getDeclaredMethod("install", checkpoint);
    install.setAccessible(true);
    install.invoke(null, hook);
    return new ItCommitFaults(faults);
  }

  @Override
  public void close() throws ReflectiveOperationException {
    Method clear = faults.getDeclaredMethod("clear");
    clear.setAccessible(true);
    clear.invoke(null);
  }
}
