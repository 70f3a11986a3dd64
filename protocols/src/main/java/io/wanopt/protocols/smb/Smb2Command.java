package io.wanopt.protocols.smb;

import io.wanopt.protocols.oncrpc.XdrEnum;
import java.util.Map;

/** The SMB2 header's Command ([MS-SMB2] 2.2.1.2); open: an unknown code is a value, not an error. */
public final class Smb2Command extends XdrEnum {

    public static final Smb2Command NEGOTIATE = new Smb2Command(0x00, "NEGOTIATE");
    public static final Smb2Command SESSION_SETUP = new Smb2Command(0x01, "SESSION_SETUP");
    public static final Smb2Command LOGOFF = new Smb2Command(0x02, "LOGOFF");
    public static final Smb2Command TREE_CONNECT = new Smb2Command(0x03, "TREE_CONNECT");
    public static final Smb2Command TREE_DISCONNECT = new Smb2Command(0x04, "TREE_DISCONNECT");
    public static final Smb2Command CREATE = new Smb2Command(0x05, "CREATE");
    public static final Smb2Command CLOSE = new Smb2Command(0x06, "CLOSE");
    public static final Smb2Command FLUSH = new Smb2Command(0x07, "FLUSH");
    public static final Smb2Command READ = new Smb2Command(0x08, "READ");
    public static final Smb2Command WRITE = new Smb2Command(0x09, "WRITE");
    public static final Smb2Command LOCK = new Smb2Command(0x0A, "LOCK");
    public static final Smb2Command IOCTL = new Smb2Command(0x0B, "IOCTL");
    public static final Smb2Command CANCEL = new Smb2Command(0x0C, "CANCEL");
    public static final Smb2Command ECHO = new Smb2Command(0x0D, "ECHO");
    public static final Smb2Command QUERY_DIRECTORY = new Smb2Command(0x0E, "QUERY_DIRECTORY");
    public static final Smb2Command CHANGE_NOTIFY = new Smb2Command(0x0F, "CHANGE_NOTIFY");
    public static final Smb2Command QUERY_INFO = new Smb2Command(0x10, "QUERY_INFO");
    public static final Smb2Command SET_INFO = new Smb2Command(0x11, "SET_INFO");
    public static final Smb2Command OPLOCK_BREAK = new Smb2Command(0x12, "OPLOCK_BREAK");
    public static final Smb2Command SERVER_TO_CLIENT_NOTIFICATION = new Smb2Command(0x13,
            "SERVER_TO_CLIENT_NOTIFICATION");

    private static final Map<Integer, Smb2Command> KNOWN = index(NEGOTIATE, SESSION_SETUP, LOGOFF, TREE_CONNECT,
            TREE_DISCONNECT, CREATE, CLOSE, FLUSH, READ, WRITE, LOCK, IOCTL, CANCEL, ECHO, QUERY_DIRECTORY,
            CHANGE_NOTIFY, QUERY_INFO, SET_INFO, OPLOCK_BREAK, SERVER_TO_CLIENT_NOTIFICATION);

    private Smb2Command(int code, String name) {
        super(code, name);
    }

    public static Smb2Command valueOf(int code) {
        Smb2Command known = KNOWN.get(code);
        return known != null ? known : new Smb2Command(code, null);
    }
}
