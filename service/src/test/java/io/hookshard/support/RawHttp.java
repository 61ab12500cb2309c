package io.hookshard.support;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;

/** Bytes on a socket, for requests no HTTP client would send. */
public final class RawHttp {
    private RawHttp() {
    }

    /** The status code and body of the answer to {@code request}. */
    public record Answer(int status, String body) {
    }

    public static Answer send(int port, byte[] request) throws IOException {
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 2000);
            socket.setSoTimeout(5000);
            socket.getOutputStream().write(request);
            socket.getOutputStream().flush();
            ByteArrayOutputStream received = new ByteArrayOutputStream();
            InputStream in = socket.getInputStream();
            byte[] buffer = new byte[8192];
            try {
                int read;
                while ((read = in.read(buffer)) != -1) {
                    received.write(buffer, 0, read);
                    if (complete(received.toString(StandardCharsets.ISO_8859_1))) {
                        break;
                    }
                }
            } catch (SocketTimeoutException | java.net.SocketException closed) {
                // the server answered and closed, or keeps the connection open: what arrived is the answer
            }
            String text = received.toString(StandardCharsets.UTF_8);
            int status = Integer.parseInt(text.substring(9, 12));
            int bodyStart = text.indexOf("\r\n\r\n");
            return new Answer(status, bodyStart < 0 ? "" : text.substring(bodyStart + 4));
        }
    }

    private static boolean complete(String text) {
        int headerEnd = text.indexOf("\r\n\r\n");
        if (headerEnd < 0) {
            return false;
        }
        java.util.regex.Matcher length = java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)")
                .matcher(text.substring(0, headerEnd));
        return length.find() && text.length() - headerEnd - 4 >= Integer.parseInt(length.group(1));
    }
}
