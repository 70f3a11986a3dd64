package io.wanopt.protocols.oncrpc;

import java.util.List;

/**
 * RFC 5531 Appendix A {@code authsys_parms}, the body of an AUTH_SYS credential: who the client says
 * it is (what a proxy must reuse to read ahead on the client's behalf).
 *
 * @param stamp       arbitrary id chosen by the caller's machine
 * @param machineName {@code string machinename<255>}
 * @param uid         effective user id
 * @param gid         effective group id
 * @param gids        {@code unsigned int gids<16>}, supplementary groups
 */
public record AuthSysParams(long stamp, String machineName, long uid, long gid, List<Long> gids) {

    public static final int MAX_MACHINE_NAME_LENGTH = 255;
    public static final int MAX_GIDS = 16;

    public AuthSysParams {
        gids = List.copyOf(gids);
    }
}
