package io.wanopt.protocols.disk.vmdk;

import io.wanopt.protocols.MalformedInputException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The text descriptor of a VMDK (embedded in a hosted sparse file or a small file of its own): the
 * {@code createType} and the extent lines {@code ACCESS SECTORS TYPE "FILE" [OFFSET]}, which are
 * concatenated in order to make the guest disk.
 *
 * @param version            the {@code version=} value (1, 2 or 3)
 * @param createType         the {@code createType} value without quotes, or empty when absent
 * @param cid                the {@code CID} (content id, hex), or empty when absent
 * @param parentCid          the {@code parentCID}: {@code ffffffff} or empty when the disk has no parent
 * @param parentFileNameHint the parent's file name (relative to this descriptor), or empty
 * @param extents            the extents in guest-disk order
 */
public record VmdkDescriptor(int version, String createType, String cid, String parentCid, String parentFileNameHint,
        List<Extent> extents) {

    /** Largest descriptor text read (qemu writes 20 sectors; a descriptor file is a few hundred bytes). */
    public static final int MAX_LENGTH = 1 << 20;

    /** Largest sector count or offset accepted: 2^40 sectors (512 TiB) is above any VMDK. */
    public static final long MAX_SECTORS = 1L << 40;

    /** Most extent lines accepted (a 2 TB twoGbMaxExtent disk has about 1000). */
    public static final int MAX_EXTENTS = 65536;

    private static final Pattern EXTENT = Pattern.compile(
            "(RW|RDONLY|NOACCESS)\\s+(\\d+)\\s+(\\w+)(?:\\s+\"([^\"]*)\")?(?:\\s+(\\d+))?\\s*");
    private static final Pattern KEY_VALUE = Pattern.compile("([\\w.]+)\\s*=\\s*\"?([^\"]*)\"?\\s*");

    /** The extent types the descriptor grammar knows. */
    public enum ExtentType {
        /** Raw bytes in a file: guest sector = extent base + (file offset / 512 - OFFSET). */
        FLAT,
        /** Hosted sparse extent ({@code KDMV}). */
        SPARSE,
        /** No file: reads as zeros. */
        ZERO,
        /** ESXi raw extent (as FLAT). */
        VMFS,
        /** ESX redo log ({@code COWD}). */
        VMFSSPARSE,
        /** SE sparse snapshot extent. */
        SESPARSE,
        /** Raw device mappings. */
        VMFSRDM,
        /** Raw device. */
        VMFSRAW
    }

    /**
     * One extent line.
     *
     * @param access        {@code RW}, {@code RDONLY} or {@code NOACCESS}
     * @param sectors       its length in 512-byte sectors
     * @param type          its type
     * @param fileName      the file it lives in (relative to the descriptor), empty for ZERO
     * @param offsetSectors where it starts in that file, in sectors (FLAT/VMFS only; 0 otherwise)
     */
    public record Extent(String access, long sectors, ExtentType type, String fileName, long offsetSectors) {
    }

    /**
     * Parses descriptor text (NUL padding, CRLF and {@code #} comments tolerated). Throws
     * {@link MalformedInputException} when the first setting is not {@code version=1|2|3} or an extent
     * line is not understood.
     */
    public static VmdkDescriptor parse(String text) {
        int nul = text.indexOf('\0');
        String body = nul >= 0 ? text.substring(0, nul) : text;
        if (body.length() > MAX_LENGTH) {
            throw MalformedInputException.outOfRange("VMDK descriptor length", body.length(), MAX_LENGTH, 0);
        }
        int version = 0;
        String createType = "";
        String cid = "";
        String parentCid = "";
        String parentHint = "";
        List<Extent> extents = new ArrayList<>();
        int lineNo = 0;
        for (String raw : body.split("\n")) {
            lineNo++;
            String line = raw.strip();
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            if (version == 0) {
                version = parseVersion(line, lineNo);
                continue;
            }
            Matcher extent = EXTENT.matcher(line);
            if (extent.matches()) {
                if (extents.size() == MAX_EXTENTS) {
                    throw MalformedInputException.outOfRange("VMDK extent count", MAX_EXTENTS + 1L, MAX_EXTENTS, lineNo);
                }
                extents.add(extent(extent, lineNo));
                continue;
            }
            Matcher kv = KEY_VALUE.matcher(line);
            if (kv.matches()) {
                switch (kv.group(1)) {
                    case "createType" -> createType = kv.group(2);
                    case "CID" -> cid = kv.group(2).strip().toLowerCase(Locale.ROOT);
                    case "parentCID" -> parentCid = kv.group(2).strip().toLowerCase(Locale.ROOT);
                    case "parentFileNameHint" -> parentHint = kv.group(2);
                    default -> {
                        // Other settings (ddb.*) do not change the map.
                    }
                }
            }
        }
        if (version == 0) {
            throw new MalformedInputException("VMDK descriptor has no version= line");
        }
        return new VmdkDescriptor(version, createType, cid, parentCid, parentHint, List.copyOf(extents));
    }

    /** Whether this disk is a child (a snapshot delta) whose unallocated grains come from a parent. */
    public boolean hasParent() {
        return !parentFileNameHint.isEmpty() && !parentCid.isEmpty() && !parentCid.equals("ffffffff");
    }

    private static int parseVersion(String line, int lineNo) {
        Matcher kv = KEY_VALUE.matcher(line);
        if (!kv.matches() || !kv.group(1).equals("version")) {
            throw new MalformedInputException("VMDK descriptor line " + lineNo + " is not version=N: " + abbreviate(line));
        }
        return switch (kv.group(2).strip()) {
            case "1" -> 1;
            case "2" -> 2;
            case "3" -> 3;
            default -> throw new MalformedInputException("VMDK descriptor version " + abbreviate(kv.group(2))
                    + " is invalid (expected: 1, 2 or 3) at line " + lineNo);
        };
    }

    private static Extent extent(Matcher m, int lineNo) {
        ExtentType type;
        try {
            type = ExtentType.valueOf(m.group(3).toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new MalformedInputException("VMDK extent type " + abbreviate(m.group(3)) + " is invalid at line " + lineNo);
        }
        String file = m.group(4) == null ? "" : m.group(4);
        if (file.isEmpty() && type != ExtentType.ZERO) {
            throw new MalformedInputException("VMDK " + type + " extent names no file at line " + lineNo);
        }
        return new Extent(m.group(1), number(m.group(2), "extent sectors", lineNo), type, file,
                m.group(5) == null ? 0 : number(m.group(5), "extent offset", lineNo));
    }

    private static long number(String digits, String what, int lineNo) {
        long value = digits.length() > 18 ? Long.MAX_VALUE : Long.parseLong(digits);
        if (value > MAX_SECTORS) {
            throw new MalformedInputException("VMDK " + what + ' ' + value + " exceeds " + MAX_SECTORS + " at line "
                    + lineNo);
        }
        return value;
    }

    private static String abbreviate(String s) {
        return s.length() > 40 ? s.substring(0, 40) + "..." : s;
    }
}
