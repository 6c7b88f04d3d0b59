package io.ember.agent;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The host end of a guest's metadata stream (METADATA): the agent forwards each request of the in-guest endpoint as a
 * META_REQUEST; each is answered on a virtual thread of its own by the {@link MetadataService}. The guest may have at
 * most {@link #MAX_PENDING} requests unanswered; more is a protocol violation.
 */
final class MetadataStream {
    static final int MAX_PENDING = 16;
    private static final Logger log = LoggerFactory.getLogger(MetadataStream.class);

    private final AgentChannel ch;
    private final MetadataService service;
    private final Slot slot;
    private final AtomicInteger pending = new AtomicInteger();

    private MetadataStream(AgentChannel ch, MetadataService service, Slot slot) {
        this.ch = ch;
        this.service = service;
        this.slot = slot;
    }

    static MetadataStream open(AgentChannel ch, MetadataService service) throws AgentException {
        Slot s = ch.open(Slot.Kind.METADATA);
        ch.send(s.id, Proto.METADATA, new byte[0]);
        MetadataStream m = new MetadataStream(ch, service, s);
        Thread.ofVirtual().name("agent-metadata").start(m::serve);
        return m;
    }

    /** Abandons the stream without a CANCEL: the guest is about to end it (RESTORED). */
    void forget() {
        ch.forget(slot);
    }

    private void serve() {
        try {
            Slot.Msg first = ch.await(slot, ch.limits.requestTimeout(), "METADATA");
            if (first == null) return;
            if (first.type() == Proto.ERROR) {
                log.warn("the agent does not serve the metadata endpoint: {}", AgentChannel.guestError(first).getMessage());
                return;
            }
            while (true) {
                Slot.Msg m = slot.take(Slot.deadline(Duration.ofMinutes(10)));
                if (m == null) {
                    if (slot.cancelled()) return;
                    continue;
                }
                if (m.type() != Proto.META_REQUEST) return; // ERROR: the guest ended the stream
                if (pending.incrementAndGet() > MAX_PENDING) {
                    ch.fail("agent protocol violation: more than " + MAX_PENDING + " metadata requests unanswered");
                    return;
                }
                Thread.ofVirtual().name("agent-metadata-request").start(() -> answer(m.fields()));
            }
        } catch (AgentException e) {
            log.debug("metadata stream ended: {}", e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void answer(Fields request) {
        long req;
        String name;
        try {
            req = request.integer(Proto.REQ);
            name = request.has(Proto.NAME) ? request.string(Proto.NAME) : null;
        } catch (ProtocolViolation v) { // checked on arrival
            return;
        }
        MetadataAnswer a;
        try {
            a = service.answer(name);
        } catch (RuntimeException e) {
            log.warn("metadata request failed: {}", e.toString());
            a = MetadataAnswer.error(500, "internal error");
        }
        Fields.Builder b = Fields.builder().integer(Proto.REQ, req).integer(Proto.STATUS, a.status());
        if (a.value() != null) b.bytes(Proto.VALUE, a.value());
        if (a.names() != null) a.names().forEach(n -> b.string(Proto.NAME, n));
        if (a.message() != null) b.string(Proto.MESSAGE, a.message());
        pending.decrementAndGet(); // before the answer leaves: the guest may ask again as soon as it reads it
        try {
            ch.send(slot.id, Proto.META_ANSWER, b.build());
        } catch (AgentException e) {
            log.debug("metadata answer not sent: {}", e.getMessage());
        }
    }
}
