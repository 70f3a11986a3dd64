package io.wanopt.proxy.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MainTest {

    /** Lines 1-6 of every site file here; a case's extra setting goes on line 7. */
    private static final String SITE = """
            wanopt {
              appliance-id = branch1
              tls.insecure-plaintext = true
              peers = [ { id = dc1, address = "203.0.113.7:7800" } ]
              listeners = [ { listen = "127.0.0.1:4450", target = "files.example:445", peer = dc1 } ]
              store.path = store
            """;
    private static final int EXTRA_LINE = 7;

    @TempDir
    Path dir;

    private record Result(int status, String out, String err) {
        List<String> errLines() {
            return err.lines().toList();
        }
    }

    private static Result run(String... args) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        int status;
        try (PrintStream outStream = new PrintStream(out, true, StandardCharsets.UTF_8);
             PrintStream errStream = new PrintStream(err, true, StandardCharsets.UTF_8)) {
            status = Main.run(args, outStream, errStream);
        }
        return new Result(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    /** Runs the command in a fresh JVM, as the launcher does, to see the real exit status and stderr. */
    private Result runInChildJvm(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-XX:TieredStopAtLevel=1", "-cp", System.getProperty("java.class.path"), Main.class.getName()));
        command.addAll(List.of(args));
        Path out = dir.resolve("child.out");
        Path err = dir.resolve("child.err");
        Process process = new ProcessBuilder(command).redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("child JVM did not finish: " + command);
        }
        return new Result(process.exitValue(), Files.readString(out), Files.readString(err));
    }

    private Path site(String extra) throws IOException {
        Path file = dir.resolve("site.conf");
        Files.writeString(file, SITE + extra + "\n}\n");
        return file;
    }

    @Test
    void versionHelpAndUsage() {
        Result version = run("version");
        assertEquals(0, version.status());
        assertTrue(version.out().matches("wanopt \\S+\\n"), version.out());

        Result help = run("help");
        assertEquals(0, help.status());
        assertTrue(help.out().contains("config check FILE"), help.out());
        assertEquals("", help.err());

        Result none = run();
        assertEquals(2, none.status());
        assertTrue(none.err().startsWith("usage: wanopt"), none.err());
        assertEquals("", none.out());

        Result unknown = run("frobnicate");
        assertEquals(2, unknown.status());
        assertEquals("wanopt: unknown command \"frobnicate\"", unknown.errLines().get(0));
        assertTrue(unknown.err().contains("usage: wanopt"), unknown.err());
    }

    @Test
    void wanEmulatorArgumentsReachItsCommand() {
        Result result = run("wan-emulator", "--listen", "127.0.0.1:0");
        assertEquals(2, result.status());
        assertEquals(1, result.errLines().size(), result.err());
        assertTrue(result.err().startsWith("wan-emulator: "), result.err());
    }

    @Test
    void configCheckAcceptsGoodFile() throws IOException {
        Path file = site("");
        Result result = run("config", "check", file.toString());
        assertEquals(0, result.status(), result.err());
        assertEquals(file + ": ok (appliance branch1, 1 peers, 1 listeners)\n", result.out());
        assertEquals("", result.err());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "tunnel.max-frame-size = \"lots\"   | wanopt.tunnel.max-frame-size",
        "tunnel.max-frame-sise = 4MiB       | wanopt.tunnel.max-frame-sise",
        "chunking.average-size = 3000       | wanopt.chunking.average-size",
        "compression.zstd-level = 0         | wanopt.compression.zstd-level",
        "peer-defaults.link-rate = 10mbps   | wanopt.peer-defaults.link-rate",
        "tunnel.flow-initial-window = 65MiB | wanopt.tunnel.flow-initial-window",
        "store.disk-budget = }              | syntax error",
    })
    void configCheckRejectsBadFileInOneLine(String extra, String expected) throws IOException {
        Path file = site(extra);
        Result result = run("config", "check", file.toString());
        assertEquals(2, result.status());
        assertEquals("", result.out());
        assertEquals(1, result.errLines().size(), result.err());
        assertTrue(result.err().startsWith(file + ":" + EXTRA_LINE + ": "), result.err());
        assertTrue(result.err().contains(expected), result.err());
    }

    @Test
    void nftRulesPrintsTheSteeringToInstallAndToRemove() throws IOException {
        Path file = site("in-path { enabled = true, lan-interfaces = [eth1], rules = [ { destinations = [\"10.20.0.0/16\"], "
                + "ports = [445], peers = [dc1] } ] }");
        Result install = run("nft-rules", "--config", file.toString());
        assertEquals(0, install.status(), install.err());
        assertTrue(install.out().startsWith("#!/bin/sh\n"), install.out());
        assertTrue(install.out().contains("iifname { \"eth1\" } ip daddr { 10.20.0.0/16 } tcp dport { 445 }"), install.out());
        Result remove = run("nft-rules", "--remove", "--config", file.toString());
        assertEquals(0, remove.status(), remove.err());
        assertTrue(remove.out().contains("nft delete table ip wanopt"), remove.out());

        Result noRules = run("nft-rules", "--config", site("").toString());
        assertEquals(2, noRules.status());
        assertTrue(noRules.err().contains("has no in-path rules"), noRules.err());
        Result usage = run("nft-rules");
        assertEquals(List.of("wanopt nft-rules: --config is required (see wanopt help)"), usage.errLines());
    }

    @Test
    void nftRulesIfManagedRemovesOnlyWhatTheApplianceManages() throws IOException {
        String rules = "rules = [ { destinations = [\"10.20.0.0/16\"], ports = [445], peers = [dc1] } ]";
        Path managed = site("in-path { enabled = true, lan-interfaces = [eth1], " + rules + " }");
        Result remove = run("nft-rules", "--remove", "--if-managed", "--config", managed.toString());
        assertEquals(0, remove.status(), remove.err());
        assertTrue(remove.out().contains("nft delete table ip wanopt"), remove.out());

        for (String unmanaged : List.of("in-path { enabled = true, manage-rules = false, lan-interfaces = [eth1], "
                + rules + " }", "")) {
            Path file = site(unmanaged);
            Result nothing = run("nft-rules", "--remove", "--if-managed", "--config", file.toString());
            assertEquals(0, nothing.status(), nothing.err());
            assertEquals(1, nothing.out().lines().count(), nothing.out());
            assertTrue(nothing.out().startsWith("# " + file + ": the appliance manages no in-path steering"), nothing.out());
        }
    }

    @Test
    void configCheckUsageAndMissingFile() {
        Path missing = dir.resolve("missing.conf");
        Result result = run("config", "check", missing.toString());
        assertEquals(2, result.status());
        assertEquals(missing + ": cannot read: no such file\n", result.err());
        for (String[] args : new String[][] {{"config"}, {"config", "check"}, {"config", "lint", "x.conf"}}) {
            Result usage = run(args);
            assertEquals(2, usage.status());
            assertEquals(List.of("wanopt config: expected: config check FILE (see wanopt help)"), usage.errLines());
        }
    }

    @Test
    void childJvmExitsWithStatusAndNoStackTrace() throws Exception {
        Path good = site("");
        Result ok = runInChildJvm("config", "check", good.toString());
        assertEquals(0, ok.status(), ok.err());
        assertEquals(good + ": ok (appliance branch1, 1 peers, 1 listeners)", ok.out().strip());

        Path bad = site("tunnel.max-frame-size = \"lots\"");
        Result rejected = runInChildJvm("config", "check", bad.toString());
        assertEquals(2, rejected.status());
        assertEquals(List.of(bad + ":" + EXTRA_LINE + ": wanopt.tunnel.max-frame-size: expected a size such as 4MiB, got \"lots\""),
                rejected.errLines());

        Result missing = runInChildJvm("config", "check", dir.resolve("nope.conf").toString());
        assertEquals(2, missing.status());
        assertEquals(1, missing.errLines().size(), missing.err());
        assertFalse(missing.err().contains("Exception") || missing.err().contains("\tat "), missing.err());
    }

    @Test
    void pkiCommandsMakeKeysAndRefuseMistakes() throws IOException {
        Path ca = dir.resolve("ca");
        Path keys = dir.resolve("keys");
        Result created = run("pki", "ca", "--out", ca.toString(), "--name", "Example WAN CA");
        assertEquals(0, created.status(), created.err());
        assertTrue(Files.exists(ca.resolve("ca.key")) && Files.exists(ca.resolve("ca.crt")));
        Result issued = run("pki", "issue", "--ca", ca.toString(), "--out", keys.toString(), "--id", "branch1");
        assertEquals(0, issued.status(), issued.err());
        assertTrue(Files.exists(keys.resolve("branch1.key")) && Files.exists(keys.resolve("branch1.crt")));

        String[][] mistakes = {
            {"pki", "issue", "--ca", ca.toString(), "--out", keys.toString(), "--id", "branch1"},
            {"pki", "issue", "--ca", ca.toString(), "--out", keys.toString(), "--id", "bad id"},
            {"pki", "issue", "--ca", dir.resolve("no-ca").toString(), "--out", keys.toString(), "--id", "dc1"},
            {"pki", "issue", "--ca", ca.toString(), "--out", keys.toString()},
            {"pki", "issue", "--ca", ca.toString(), "--out"},
            {"pki", "ca", "--out", ca.toString()},
            {"pki", "ca", "--dir", ca.toString()},
            {"pki"},
        };
        for (String[] args : mistakes) {
            Result result = run(args);
            assertEquals(2, result.status(), String.join(" ", args));
            assertEquals(1, result.errLines().size(), result.err());
            assertTrue(result.err().startsWith("wanopt pki: "), result.err());
        }
        assertTrue(run("pki", "ca", "--out", ca.toString()).err().contains("already exists"));
    }

    /** The shipped examples pass {@code config check} with keys made by {@code pki}, as an admin would set them up. */
    @Test
    void examplesCheckWithIssuedKeys() throws IOException {
        Path ca = dir.resolve("ca");
        assertEquals(0, run("pki", "ca", "--out", ca.toString()).status());
        for (String[] example : new String[][] {{"branch.conf", "branch1", "1 peers, 2 listeners"}, {"datacenter.conf", "dc1", "1 peers, 0 listeners"},
                {"branch-in-path.conf", "branch1", "2 peers, 0 listeners, in-path on eth1 with 1 rules"}}) {
            String id = example[1];
            if (!Files.exists(dir.resolve(id + ".key"))) {
                assertEquals(0, run("pki", "issue", "--ca", ca.toString(), "--out", dir.toString(), "--id", id).status());
            }
            Path site = dir.resolve(example[0]);
            Files.writeString(site, "include required(file(\"" + Path.of("../config/examples", example[0]).toAbsolutePath() + "\"))\n"
                    + "wanopt.tls { key = " + id + ".key, certificate = " + id + ".crt, trusted-ca = ca/ca.crt }\n");
            Result result = run("config", "check", site.toString());
            assertEquals(0, result.status(), result.err());
            assertEquals(site + ": ok (appliance " + id + ", " + example[2] + ")\n", result.out());
        }
    }
}
