package io.wanopt.protocols.disk;

/**
 * Well-formed input in a layout the map library does not read yet (a streamOptimized VMDK, a meta_bg
 * ext4, an LDM disk). Callers count such a disk, partition or file system as wholly in use.
 */
public class UnsupportedFormatException extends Exception {

    private static final long serialVersionUID = 1L;

    public UnsupportedFormatException(String message) {
        super(message);
    }
}
