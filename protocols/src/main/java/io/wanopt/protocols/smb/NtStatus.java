package io.wanopt.protocols.smb;

import java.util.HashMap;
import java.util.Map;

/**
 * An NTSTATUS code ([MS-ERREF] 2.3) as the SMB2 header carries it; open: any 32-bit value is a status,
 * and the ones wanopt acts on have names. The top two bits are the severity (0 success, 1 information,
 * 2 warning, 3 error). Equality is by code.
 */
public final class NtStatus {

    public static final NtStatus SUCCESS = new NtStatus(0x0000_0000, "STATUS_SUCCESS");
    /** An interim async response: the real one follows ([MS-SMB2] 3.3.4.2). */
    public static final NtStatus PENDING = new NtStatus(0x0000_0103, "STATUS_PENDING");
    public static final NtStatus NOTIFY_ENUM_DIR = new NtStatus(0x0000_010C, "STATUS_NOTIFY_ENUM_DIR");
    public static final NtStatus BUFFER_OVERFLOW = new NtStatus(0x8000_0005, "STATUS_BUFFER_OVERFLOW");
    public static final NtStatus NO_MORE_FILES = new NtStatus(0x8000_0006, "STATUS_NO_MORE_FILES");
    public static final NtStatus STOPPED_ON_SYMLINK = new NtStatus(0x8000_002D, "STATUS_STOPPED_ON_SYMLINK");
    public static final NtStatus INVALID_PARAMETER = new NtStatus(0xC000_000D, "STATUS_INVALID_PARAMETER");
    public static final NtStatus END_OF_FILE = new NtStatus(0xC000_0011, "STATUS_END_OF_FILE");
    public static final NtStatus MORE_PROCESSING_REQUIRED = new NtStatus(0xC000_0016,
            "STATUS_MORE_PROCESSING_REQUIRED");
    public static final NtStatus ACCESS_DENIED = new NtStatus(0xC000_0022, "STATUS_ACCESS_DENIED");
    public static final NtStatus OBJECT_NAME_NOT_FOUND = new NtStatus(0xC000_0034, "STATUS_OBJECT_NAME_NOT_FOUND");
    public static final NtStatus OBJECT_NAME_COLLISION = new NtStatus(0xC000_0035, "STATUS_OBJECT_NAME_COLLISION");
    public static final NtStatus OBJECT_PATH_NOT_FOUND = new NtStatus(0xC000_003A, "STATUS_OBJECT_PATH_NOT_FOUND");
    public static final NtStatus SHARING_VIOLATION = new NtStatus(0xC000_0043, "STATUS_SHARING_VIOLATION");
    public static final NtStatus LOGON_FAILURE = new NtStatus(0xC000_006D, "STATUS_LOGON_FAILURE");
    public static final NtStatus NOT_SUPPORTED = new NtStatus(0xC000_00BB, "STATUS_NOT_SUPPORTED");
    public static final NtStatus NETWORK_NAME_DELETED = new NtStatus(0xC000_00C9, "STATUS_NETWORK_NAME_DELETED");
    public static final NtStatus BAD_NETWORK_NAME = new NtStatus(0xC000_00CC, "STATUS_BAD_NETWORK_NAME");
    public static final NtStatus CANCELLED = new NtStatus(0xC000_0120, "STATUS_CANCELLED");
    public static final NtStatus FILE_CLOSED = new NtStatus(0xC000_0128, "STATUS_FILE_CLOSED");
    public static final NtStatus USER_SESSION_DELETED = new NtStatus(0xC000_0203, "STATUS_USER_SESSION_DELETED");
    public static final NtStatus NOT_FOUND = new NtStatus(0xC000_0225, "STATUS_NOT_FOUND");
    public static final NtStatus NETWORK_SESSION_EXPIRED = new NtStatus(0xC000_035C, "STATUS_NETWORK_SESSION_EXPIRED");

    private static final Map<Integer, NtStatus> KNOWN = index(SUCCESS, PENDING, NOTIFY_ENUM_DIR, BUFFER_OVERFLOW,
            NO_MORE_FILES, STOPPED_ON_SYMLINK, INVALID_PARAMETER, END_OF_FILE, MORE_PROCESSING_REQUIRED, ACCESS_DENIED,
            OBJECT_NAME_NOT_FOUND, OBJECT_NAME_COLLISION, OBJECT_PATH_NOT_FOUND, SHARING_VIOLATION, LOGON_FAILURE,
            NOT_SUPPORTED, NETWORK_NAME_DELETED, BAD_NETWORK_NAME, CANCELLED, FILE_CLOSED, USER_SESSION_DELETED,
            NOT_FOUND, NETWORK_SESSION_EXPIRED);

    private final int code;
    private final String name;

    private NtStatus(int code, String name) {
        this.code = code;
        this.name = name;
    }

    public static NtStatus valueOf(int code) {
        NtStatus known = KNOWN.get(code);
        return known != null ? known : new NtStatus(code, null);
    }

    private static Map<Integer, NtStatus> index(NtStatus... statuses) {
        Map<Integer, NtStatus> byCode = new HashMap<>();
        for (NtStatus status : statuses) {
            if (byCode.put(status.code, status) != null) {
                throw new IllegalStateException("duplicate NTSTATUS " + status);
            }
        }
        return Map.copyOf(byCode);
    }

    /** The 32-bit code as sent. */
    public int code() {
        return code;
    }

    public boolean isSuccess() {
        return code == 0;
    }

    /** Severity 3 (STATUS_SEVERITY_ERROR): top two bits set. */
    public boolean isError() {
        return (code >>> 30) == 3;
    }

    /** Whether the status has a name here. */
    public boolean isKnown() {
        return name != null;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof NtStatus status && status.code == code;
    }

    @Override
    public int hashCode() {
        return code;
    }

    /** The name, or the code in hex as [MS-ERREF] writes it ({@code 0xC0000022}). */
    @Override
    public String toString() {
        return name != null ? name : String.format("0x%08X", code);
    }
}
