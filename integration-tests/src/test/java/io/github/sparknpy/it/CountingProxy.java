package io.github.sparknpy.it;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicLong;

/**
 * A TCP forwarder on 127.0.0.1 in front of a server, counting the bytes each way: what every client
 * (the driver and the executors) sent to the S3 server and received from it, HTTP headers included,
 * as the server's own traffic log would.
 */
final class CountingProxy implements AutoCloseable {
  private final ServerSocket listener;
  private final int targetPort;
  private final AtomicLong toServer = new AtomicLong();
  private final AtomicLong fromServer = new AtomicLong();

  private CountingProxy(int targetPort) throws IOException {
    this.targetPort = targetPort;
    this.listener = new ServerSocket(0, 64, InetAddress.getLoopbackAddress());
    Thread accept = new Thread(this::acceptLoop, "counting-proxy-" + port());
    accept.setDaemon(true);
    accept.start();
  }

  static CountingProxy to(int port) throws IOException {
    return new CountingProxy(port);
  }

  int port() {
    return listener.getLocalPort();
  }

  /** Bytes clients sent so far. */
  long toServer() {
    return toServer.get();
  }

  /** Bytes clients received so far. */
  long fromServer() {
    return fromServer.get();
  }

  private void acceptLoop() {
    while (!listener.isClosed()) {
      try {
        Socket client = listener.accept();
        Socket server = new Socket(InetAddress.getLoopbackAddress(), targetPort);
        pump(client, server, toServer);
        pump(server, client, fromServer);
      } catch (IOException e) {
        if (!listener.isClosed()) {
          e.printStackTrace();
        }
      }
    }
  }

  private static void pump(Socket from, Socket to, AtomicLong counter) {
    Thread t =
        new Thread(
            () -> {
              byte[] buf = new byte[64 << 10];
              try (InputStream in = from.getInputStream();
                  OutputStream out = to.getOutputStream()) {
                for (int n; (n = in.read(buf)) >= 0; ) {
                  out.write(buf, 0, n);
                  counter.addAndGet(n);
                }
              } catch (IOException e) {
                // the other side closed
              } finally {
                try {
                  from.close();
                  to.close();
                } catch (IOException e) {
                  // closing anyway
                }
              }
            },
            "counting-proxy-pump");
    t.setDaemon(true);
    t.start();
  }

  @Override
  public void close() throws IOException {
    listener.close();
  }
}
