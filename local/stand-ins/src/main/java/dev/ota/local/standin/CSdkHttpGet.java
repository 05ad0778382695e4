package dev.ota.local.standin;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * An HTTP GET as Tencent's C SDK (3.2.2) sends and reads it (facts.md §1, the download-URL limits):
 * its own fixed headers on a raw socket, the whole request within a 1024-byte send buffer, and the
 * response's header names matched byte for byte, case-sensitively: a {@code Content-length} is no
 * {@code Content-Length} to it. The stand-ins' tests and the simulated C-SDK device read with it,
 * so both hold the servers to the same rules.
 */
public final class CSdkHttpGet {

    /** The C SDK's HTTP send buffer: a longer request arrives corrupted or hangs. */
    public static final int SEND_BUFFER_BYTES = 1024;

    private CSdkHttpGet() {}

    /**
     * @param statusLine as received, e.g. {@code HTTP/1.1 206 Partial Content}
     * @param headers    names exactly as the server wrote them
     * @param body       what arrived: the whole {@code Content-Length}, or less when the stream was cut
     * @param complete   whether a case-exact {@code Content-Length} came and that many bytes arrived
     */
    public record Response(String statusLine, int status, Map<String, String> headers, byte[] body, boolean complete) {}

    /** The request's bytes, as the C SDK writes them. */
    public static byte[] request(URI uri, String range) {
        String pathAndQuery = uri.getRawPath() + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery());
        String request = "GET " + pathAndQuery + " HTTP/1.1\r\n"
                + "Host: " + uri.getRawAuthority() + "\r\n"
                + "User-Agent: TencentIoTHubDevice\r\n"
                + "Accept: */*\r\n"
                + (range == null ? "" : "Range: " + range + "\r\n")
                + "Connection: close\r\n\r\n";
        return request.getBytes(StandardCharsets.US_ASCII);
    }

    /**
     * GETs {@code url}, with {@code range} (e.g. {@code bytes=40000-100000}) unless null. A read that
     * stalls for {@code readTimeout} or a connection that closes early ends the body short
     * ({@code complete} false), as the SDK sees a cut.
     *
     * @throws IllegalArgumentException when the request does not fit the SDK's send buffer
     * @throws IOException              when no status line and headers arrive
     */
    public static Response get(String url, String range, Duration readTimeout) throws IOException {
        URI uri = URI.create(url);
        byte[] request = request(uri, range);
        if (request.length > SEND_BUFFER_BYTES) {
            throw new IllegalArgumentException("a request of " + request.length + " bytes does not fit the C SDK's "
                    + SEND_BUFFER_BYTES + "-byte send buffer");
        }
        // The SDK takes the port from the scheme; the stand-ins may listen elsewhere when port 80 is taken.
        int port = uri.getPort() != -1 ? uri.getPort() : "https".equals(uri.getScheme()) ? 443 : 80;
        try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress(uri.getHost(), port), (int) readTimeout.toMillis());
            socket.setSoTimeout((int) readTimeout.toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(request);
            out.flush();
            InputStream in = socket.getInputStream();
            String head = readHead(in);
            String[] lines = head.split("\r\n");
            Map<String, String> headers = new LinkedHashMap<>();
            for (int i = 1; i < lines.length; i++) {
                int colon = lines[i].indexOf(':');
                if (colon > 0) {
                    headers.put(
                            lines[i].substring(0, colon),
                            lines[i].substring(colon + 1).trim());
                }
            }
            String[] status = lines[0].split(" ", 3);
            if (status.length < 2 || !status[0].startsWith("HTTP/")) {
                throw new IOException("not an HTTP status line: " + lines[0]);
            }
            // exactly as the C SDK: the name as S3 writes it, or there is no length
            String length = headers.get("Content-Length");
            if (length == null) {
                return new Response(lines[0], Integer.parseInt(status[1]), headers, readToEnd(in), false);
            }
            long expected = Long.parseLong(length);
            byte[] body = readUpTo(in, expected);
            return new Response(lines[0], Integer.parseInt(status[1]), headers, body, body.length == expected);
        }
    }

    private static String readHead(InputStream in) throws IOException {
        ByteArrayOutputStream head = new ByteArrayOutputStream();
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new IOException("the connection closed before the response headers ended");
            }
            head.write(b);
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
        return head.toString(StandardCharsets.US_ASCII);
    }

    /** Up to {@code length} bytes, fewer when the stream ends or stalls (a cut). */
    private static byte[] readUpTo(InputStream in, long length) {
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        byte[] buffer = new byte[16 * 1024];
        try {
            while (body.size() < length) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, length - body.size()));
                if (n < 0) {
                    break;
                }
                body.write(buffer, 0, n);
            }
        } catch (IOException cut) {
            // a reset or a stall over the read timeout: what arrived is what the device keeps
        }
        return body.toByteArray();
    }

    private static byte[] readToEnd(InputStream in) {
        return readUpTo(in, Long.MAX_VALUE);
    }
}
