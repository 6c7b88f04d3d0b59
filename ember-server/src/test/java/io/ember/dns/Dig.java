package io.ember.dns;

import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.TextParseException;

import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/** Asks a resolver under test like a guest's stub would, with dnsjava's SimpleResolver, from a chosen source address. */
final class Dig {
    static final InetAddress GUEST = InetAddress.getLoopbackAddress(), STRANGER = address("127.0.0.2"),
            OTHER_GUEST = address("127.0.0.3");

    private final int port;

    Dig(int port) {
        this.port = port;
    }

    Message udp(String name, int type) throws IOException {
        return resolver(GUEST, false).send(query(name, type));
    }

    Message tcp(String name, int type) throws IOException {
        return resolver(GUEST, true).send(query(name, type));
    }

    Message from(InetAddress source, String name, int type) throws IOException {
        return resolver(source, false).send(query(name, type));
    }

    CompletableFuture<Message> async(String name, int type) {
        return resolver(GUEST, false).sendAsync(query(name, type)).toCompletableFuture();
    }

    SimpleResolver resolver(InetAddress source, boolean tcp) {
        SimpleResolver r = new SimpleResolver(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
        r.setLocalAddress(new InetSocketAddress(source, 0));
        r.setTCP(tcp);
        r.setTimeout(Duration.ofSeconds(5));
        return r;
    }

    static Message query(String name, int type) {
        try {
            return Message.newQuery(Record.newRecord(Name.fromString(name.endsWith(".") ? name : name + "."), type, DClass.IN));
        } catch (TextParseException e) {
            throw new IllegalArgumentException(e);
        }
    }

    /** The answer section's rdata as text. */
    static List<String> answers(Message m) {
        return m.getSection(Section.ANSWER).stream().map(r -> r.rdataToString()).toList();
    }

    static InetAddress address(String literal) {
        return ResolverConfig.literal(literal);
    }
}
