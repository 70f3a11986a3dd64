package io.wanopt.proxy;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class TrafficCountersTest {

    @Test
    void aFlowFeedsItsParentAlwaysAndItsProtocolFromWhenItIsKnownWithWhatCameBefore() {
        TrafficCounters appliance = new TrafficCounters();
        ProtocolTraffic protocols = new ProtocolTraffic();
        TrafficCounters flow = new TrafficCounters(appliance);
        flow.flowStarted();
        flow.lanIn(100);
        flow.alsoCountInto(protocols.of("SMB"));
        flow.lanIn(50);
        flow.wanOut(7);
        TrafficCounters smb = protocols.of(ProtocolTraffic.SMB);
        assertEquals(150, smb.lanIn());
        assertEquals(7, smb.wanOut());
        assertEquals(1, smb.flows());
        assertEquals(150, appliance.lanIn());
        assertEquals(0, protocols.of(ProtocolTraffic.NFS).lanIn());
        assertEquals(protocols.of(ProtocolTraffic.GENERIC), protocols.of("ftp"), "unknown protocols are generic");
    }
}
