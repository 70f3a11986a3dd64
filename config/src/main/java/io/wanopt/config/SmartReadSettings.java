package io.wanopt.config;

import java.time.Duration;
import java.util.List;
import java.util.regex.Pattern;

/**
 * {@code wanopt.smartread}: what the appliance next to the storage does with the blocks of a VM disk
 * that its guest file system does not use.
 *
 * @param unusedBlocks     what crosses for guest-free blocks of files no rule matches
 * @param rules            files with their own choice, first match wins
 * @param skipStorageReads whether reads ahead that fall wholly in blocks crossing as zeros are answered
 *                         without reading the server
 * @param mapTimeout       longest one VMDK's map may take to read
 * @param maxMaps          maps kept per appliance
 */
public record SmartReadSettings(UnusedBlocks unusedBlocks, List<Rule> rules, boolean skipStorageReads,
        Duration mapTimeout, int maxMaps) {

    /** What crosses for guest-free blocks. */
    public enum UnusedBlocks {
        /** Their bytes, as they are: the copy is byte-exact. */
        KEEP,
        /** Zeros: the copy holds the same file systems, its free space reads as zeros. */
        ZERO
    }

    /**
     * Files whose path matches {@code glob} get {@code unusedBlocks}.
     *
     * @param glob         {@code *} within a directory, {@code **} across, {@code ?} one character;
     *                     without a {@code /} it matches the file name alone
     * @param unusedBlocks what crosses for guest-free blocks of those files
     */
    public record Rule(String glob, UnusedBlocks unusedBlocks) {

        /** Whether {@code path} (components separated by {@code /}) matches. */
        public boolean matches(String path) {
            String subject = glob.contains("/") ? path : path.substring(path.lastIndexOf('/') + 1);
            return regex(glob).matcher(subject).matches();
        }

        private static Pattern regex(String glob) {
            StringBuilder regex = new StringBuilder();
            for (int i = 0; i < glob.length(); i++) {
                char c = glob.charAt(i);
                if (c == '*' && i + 1 < glob.length() && glob.charAt(i + 1) == '*') {
                    regex.append(".*");
                    i++;
                } else if (c == '*') {
                    regex.append("[^/]*");
                } else if (c == '?') {
                    regex.append("[^/]");
                } else {
                    regex.append(Pattern.quote(String.valueOf(c)));
                }
            }
            return Pattern.compile(regex.toString());
        }
    }

    public SmartReadSettings {
        rules = List.copyOf(rules);
    }

    /** What crosses for the guest-free blocks of the file at {@code path} (its name alone when that is all that is known). */
    public UnusedBlocks unusedBlocksFor(String path) {
        for (Rule rule : rules) {
            if (rule.matches(path)) {
                return rule.unusedBlocks();
            }
        }
        return unusedBlocks;
    }
}
