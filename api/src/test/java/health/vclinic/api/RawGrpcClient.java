package health.vclinic.api;

import io.grpc.netty.shaded.io.netty.bootstrap.Bootstrap;
import io.grpc.netty.shaded.io.netty.buffer.ByteBufUtil;
import io.grpc.netty.shaded.io.netty.buffer.Unpooled;
import io.grpc.netty.shaded.io.netty.channel.Channel;
import io.grpc.netty.shaded.io.netty.channel.ChannelHandlerContext;
import io.grpc.netty.shaded.io.netty.channel.ChannelInitializer;
import io.grpc.netty.shaded.io.netty.channel.nio.NioEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ChannelDuplexHandler;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2DataFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Error;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2FrameStream;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2Headers;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2HeadersFrame;
import io.grpc.netty.shaded.io.netty.handler.codec.http2.Http2ResetFrame;
import io.grpc.netty.shaded.io.netty.util.ReferenceCountUtil;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * A gRPC client that writes whatever bytes a test asks for: HTTP/2 frames through Netty's codec (the
 * copy shaded into grpc-netty-shaded), gRPC framing and headers by hand. It sees what a real client
 * would: every header, every frame's end, RST_STREAM and GOAWAY.
 */
final class RawGrpcClient implements AutoCloseable {

    /** What came back on one stream: the headers (trailers merged in) and how the stream ended. */
    record Answer(Map<String, String> headers, byte[] body, Optional<Long> resetCode) {

        OptionalInt grpcStatus() {
            String s = headers.get("grpc-status");
            return s == null ? OptionalInt.empty() : OptionalInt.of(Integer.parseInt(s));
        }

        int httpStatus() {
            return Integer.parseInt(headers.getOrDefault(":status", "-1"));
        }

        /** The grpc-message as it travelled, i.e. still percent-encoded. */
        String rawMessage() {
            return headers.getOrDefault("grpc-message", "");
        }

        @Override
        public String toString() {
            return "Answer" + headers + resetCode.map(c -> " RST_STREAM " + c).orElse("");
        }
    }

    /** One request stream. */
    final class Call {
        private final Http2FrameStream stream;
        private final Map<String, String> headers = new LinkedHashMap<>();
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private final CompletableFuture<Answer> answer = new CompletableFuture<>();

        private Call(Http2FrameStream stream) {
            this.stream = stream;
        }

        /** Sends DATA (split into frames by the codec and flow control), ending the stream or not. */
        Call send(byte[] bytes, boolean endStream) {
            channel.writeAndFlush(new DefaultHttp2DataFrame(Unpooled.wrappedBuffer(bytes), endStream).stream(stream))
                    .syncUninterruptibly();
            return this;
        }

        Call reset() {
            channel.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.CANCEL).stream(stream)).syncUninterruptibly();
            return this;
        }

        int streamId() {
            return stream.id();
        }

        /** Waits for the end of the response: trailers, RST_STREAM or the connection's end. */
        Answer answer(Duration wait) throws Exception {
            try {
                return answer.get(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (TimeoutException e) {
                throw new AssertionError("no answer on stream " + stream.id() + " within " + wait
                        + "; headers so far " + headers, e);
            }
        }

        private synchronized void headers(Http2Headers h, boolean end) {
            h.forEach(e -> headers.put(e.getKey().toString(), e.getValue().toString()));
            if (end) {
                answer.complete(new Answer(Map.copyOf(headers), body.toByteArray(), Optional.empty()));
            }
        }

        private synchronized void data(byte[] bytes, boolean end) {
            body.writeBytes(bytes);
            if (end) {
                answer.complete(new Answer(Map.copyOf(headers), body.toByteArray(), Optional.empty()));
            }
        }

        private synchronized void reset(long code) {
            answer.complete(new Answer(Map.copyOf(headers), body.toByteArray(), Optional.of(code)));
        }
    }

    private final NioEventLoopGroup group = new NioEventLoopGroup(1);
    private final Map<Http2FrameStream, Call> calls = new IdentityHashMap<>();
    private final CompletableFuture<Long> goAway = new CompletableFuture<>();
    private final String authority;
    private final Frames frames = new Frames();
    private final Channel channel;

    private RawGrpcClient(String host, int port) {
        this.authority = host + ":" + port;
        this.channel = new Bootstrap().group(group).channel(NioSocketChannel.class)
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ch.pipeline().addLast(Http2FrameCodecBuilder.forClient().autoAckSettingsFrame(true)
                                .autoAckPingFrame(true).build(), frames);
                    }
                })
                .connect(host, port).syncUninterruptibly().channel();
    }

    static RawGrpcClient connect(int port) {
        return new RawGrpcClient("127.0.0.1", port);
    }

    /** Opens a POST to {@code path} with gRPC's headers, {@code extra} added or replacing them. */
    Call open(String path, Map<String, String> extra, boolean endStream) {
        Http2Headers h = new DefaultHttp2Headers().method("POST").scheme("http").path(path).authority(authority);
        h.set("content-type", "application/grpc");
        h.set("te", "trailers");
        h.set("authorization", TestSecurity.backendHeader());
        extra.forEach(h::set);
        Call call;
        synchronized (calls) {
            call = new Call(frames.newStream());
            calls.put(call.stream, call);
        }
        channel.writeAndFlush(new DefaultHttp2HeadersFrame(h, endStream).stream(call.stream)).syncUninterruptibly();
        return call;
    }

    Call open(String path) {
        return open(path, Map.of(), false);
    }

    /** The GOAWAY error code, when the server sent one. */
    Optional<Long> goAway() {
        return Optional.ofNullable(goAway.getNow(null));
    }

    /** gRPC's Length-Prefixed-Message: the flag byte, the length as sent, then the bytes. */
    static byte[] frame(int flag, long declaredLength, byte[] message) {
        return ByteBuffer.allocate(5 + message.length).put((byte) flag).putInt((int) declaredLength).put(message)
                .array();
    }

    static byte[] frame(byte[] message) {
        return frame(0, message.length, message);
    }

    @Override
    public void close() {
        channel.close().syncUninterruptibly();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
    }

    private Optional<Call> call(Http2FrameStream stream) {
        synchronized (calls) {
            return Optional.ofNullable(calls.get(stream));
        }
    }

    private final class Frames extends Http2ChannelDuplexHandler {
        @Override
        public void channelRead(ChannelHandlerContext ctx, Object msg) {
            try {
                if (msg instanceof Http2HeadersFrame h) {
                    call(h.stream()).ifPresent(c -> c.headers(h.headers(), h.isEndStream()));
                } else if (msg instanceof Http2DataFrame d) {
                    byte[] bytes = ByteBufUtil.getBytes(d.content());
                    call(d.stream()).ifPresent(c -> c.data(bytes, d.isEndStream()));
                } else if (msg instanceof Http2ResetFrame r) {
                    call(r.stream()).ifPresent(c -> c.reset(r.errorCode()));
                } else if (msg instanceof Http2GoAwayFrame g) {
                    goAway.complete(g.errorCode());
                }
            } finally {
                ReferenceCountUtil.release(msg);
            }
        }

        @Override
        public void channelInactive(ChannelHandlerContext ctx) {
            List<Call> open;
            synchronized (calls) {
                open = new ArrayList<>(calls.values());
            }
            open.forEach(c -> c.reset(-1));
        }
    }
}
