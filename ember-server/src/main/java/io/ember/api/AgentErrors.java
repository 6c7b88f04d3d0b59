package io.ember.api;

import io.ember.agent.AgentException;
import io.ember.microvm.GuestLease;

/**
 * Guest errors as API errors: a missing file is not found, a bad path is a validation error;
 * a broken channel fails the microVM and is a conflict for the caller.
 */
final class AgentErrors {
    private static final int EPERM = 1, ENOENT = 2, E2BIG = 7, EACCES = 13, EBUSY = 16, EEXIST = 17, ENOTDIR = 20,
            EISDIR = 21, EINVAL = 22, ENOSPC = 28, EROFS = 30, ENAMETOOLONG = 36, ENOTEMPTY = 39, ELOOP = 40,
            ETIMEDOUT = 110;

    private AgentErrors() {}

    static ApiException translate(AgentException e, GuestLease guest, String path) {
        if (e.channelBroken()) {
            String microvmId = guest.microvmId();
            if (guest.broken(e.getMessage())) {
                return ApiException.conflict("the agent channel of microVM " + microvmId + " failed (" + e.getMessage()
                        + "); the microVM is terminated", "Microvm", microvmId);
            }
            return ApiException.conflict("microVM " + microvmId + " was suspended or terminated while the request ran",
                    "Microvm", microvmId);
        }
        String msg = e.getMessage() == null ? "errno " + e.errno() : e.getMessage();
        String what = path == null || msg.contains(path) ? msg : path + ": " + msg;
        return switch (e.errno()) {
            case ENOENT -> ApiException.notFound(what, "File", path);
            // The caller's request or the guest's own state, not a server fault (and AWS clients retry a 500):
            // EBUSY is the guest refusing to remove /, E2BIG a directory too long to list, ENOSPC a full guest disk.
            case EPERM, EACCES, EEXIST, ENOTDIR, EISDIR, EINVAL, ENAMETOOLONG, ENOTEMPTY, ELOOP, EROFS, EBUSY, E2BIG,
                    ENOSPC -> ApiException.validation(what);
            // An exec whose stream outlived its timeout (an older agent waits for a detached child): that call's end.
            case ETIMEDOUT -> ApiException.conflict(what, "Microvm", guest.microvmId());
            case 0 -> ApiException.internal("agent call failed: " + e.getMessage());
            default -> ApiException.internal(what + " (errno " + e.errno() + ")");
        };
    }
}
