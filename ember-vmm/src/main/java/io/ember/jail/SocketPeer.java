package io.ember.jail;

import java.io.IOException;
import java.nio.channels.SocketChannel;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.UserPrincipal;
import jdk.net.ExtendedSocketOptions;
import jdk.net.UnixDomainPrincipal;

/**
 * A socket in a VM's work directory must be served by that VM's VMM: the peer's uid (SO_PEERCRED) must be the
 * directory's owner, the VM's own uid when jailed (root otherwise). A jailed VMM owns its directory and could replace
 * its socket with a link to another VM's: the server would then talk to, and save or restore, the wrong machine.
 */
public final class SocketPeer {
    private SocketPeer() {}

    /** Throws unless the peer of {@code connected} runs as the owner of the directory holding {@code socket}. */
    public static void verify(SocketChannel connected, Path socket) throws IOException {
        UnixDomainPrincipal peer = connected.getOption(ExtendedSocketOptions.SO_PEERCRED);
        UserPrincipal owner = Files.getOwner(socket.toAbsolutePath().getParent(), LinkOption.NOFOLLOW_LINKS);
        if (!peer.user().equals(owner))
            throw new IOException("refusing " + socket + ": served by uid " + peer.user().getName() + ", not by its VM ("
                    + owner.getName() + ")");
    }
}
