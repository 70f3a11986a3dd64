package io.wanopt.proxy;

import io.wanopt.config.InPathSettings;
import io.wanopt.config.WanoptSettings;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/** Which settings of a reloaded file differ from the running ones in ways only a restart applies. */
final class SettingsDiff {

    private SettingsDiff() {
    }

    /** The sections (by key) that differ and that a running appliance cannot change. */
    static List<String> needingRestart(WanoptSettings running, WanoptSettings next) {
        List<String> keys = new ArrayList<>();
        differs(keys, "wanopt.appliance-id", running.applianceId(), next.applianceId());
        differs(keys, "wanopt.tls", running.tls(), next.tls());
        differs(keys, "wanopt.peers", running.peers(), next.peers());
        differs(keys, "wanopt.tunnel", running.tunnel(), next.tunnel());
        differs(keys, "wanopt.chunking", running.chunking(), next.chunking());
        differs(keys, "wanopt.store", running.store(), next.store());
        differs(keys, "wanopt.compression", running.compression(), next.compression());
        differs(keys, "wanopt.protocols", running.protocols(), next.protocols());
        differs(keys, "wanopt.smartread", running.smartRead(), next.smartRead());
        differs(keys, "wanopt.memory.max-buffered", running.maxBuffered(), next.maxBuffered());
        differs(keys, "wanopt.stats", running.summaryInterval(), next.summaryInterval());
        differs(keys, "wanopt.management", running.management(), next.management());
        if (!running.inPath().equals(next.inPath()) && !onlyRulesDiffer(running.inPath(), next.inPath())) {
            keys.add("wanopt.in-path");
        }
        return keys;
    }

    /** Whether the two differ, and only in their rules (with in-path on in both). */
    static boolean onlyRulesDiffer(InPathSettings running, InPathSettings next) {
        return running.enabled() && !running.rules().equals(next.rules()) && running.equals(new InPathSettings(
                next.enabled(), next.lanInterfaces(), next.listenPort(), running.rules(), next.serverSource(),
                next.manageRules(), next.mark(), next.routeTable(), next.nftTable()));
    }

    private static void differs(List<String> keys, String key, Object running, Object next) {
        if (!Objects.equals(running, next)) {
            keys.add(key);
        }
    }
}
