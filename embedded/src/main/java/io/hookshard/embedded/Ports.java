package io.hookshard.embedded;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.ArrayList;
import java.util.List;

/** Loopback ports: free ones for tests, or a check that a documented dev port is still free. */
public final class Ports {
    private Ports() {
    }

    /** One free port; for two or more servers not yet started, {@link #freePorts(int)}. */
    public static int freePort() {
        return freePorts(1)[0];
    }

    /**
     * {@code count} distinct free ports. Each is held until the last is found: ports picked one by one and bound
     * later can be the same port twice, and the second server then fails to start.
     */
    public static int[] freePorts(int count) {
        List<ServerSocket> held = new ArrayList<>(count);
        try {
            for (int i = 0; i < count; i++) {
                held.add(new ServerSocket(0, 1, InetAddress.getLoopbackAddress()));
            }
            return held.stream().mapToInt(ServerSocket::getLocalPort).toArray();
        } catch (IOException e) {
            throw new UncheckedIOException("no " + count + " free loopback ports", e);
        } finally {
            for (ServerSocket socket : held) {
                try {
                    socket.close();
                } catch (IOException ignored) {
                    // only probed; nothing was accepted on it
                }
            }
        }
    }

    /** Fails with a message naming the port and its user when something already listens on it. */
    public static void requireFree(int port, String user) {
        try (ServerSocket socket = new ServerSocket()) {
            socket.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 1);
        } catch (IOException e) {
            throw new IllegalStateException("port " + port + " (wanted by " + user + ") is already taken on 127.0.0.1;"
                    + " stop whatever listens there or choose another port", e);
        }
    }

    public static boolean isListening(int port) {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 200);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
