package io.psaremoval.removal;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.psaremoval.backup.Backup;
import io.psaremoval.backup.BackupProperties;
import io.psaremoval.backup.BackupService;
import io.psaremoval.backup.Sha256;
import io.psaremoval.backup.SnapshotStore;
import java.io.FilterOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.security.DigestInputStream;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.zip.Deflater;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;
import java.util.zip.ZipOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Service;

/**
 * A verified snapshot of a removal's confirmed scope before a hard delete writes anything (format: see the README's
 * "Snapshot format"). It is written in one REPEATABLE READ, read-only transaction, so every table is of one instant,
 * after checking in that same transaction that the scope is still the confirmed one; streamed table by table into a
 * zip in the {@link SnapshotStore} as a draft; committed; read back whole from the store, every entry's SHA-256 and
 * rows compared with what was written and with the confirmed scope's counts; and only then recorded in the account's
 * backup history, as verified. A crash at any point before that leaves nothing recorded, so nothing counts as a
 * snapshot; the retried step writes a fresh one.
 */
@Service
public class ScopeSnapshots {

    /** What a run of "Take a verified snapshot of the scope" found. */
    public enum Outcome {
        /** Written, read back and verified now. */
        TAKEN,
        /** Verified before for this round (a retried job). */
        ALREADY_TAKEN,
        /** The scope is no longer the confirmed one: nothing written; the delete's first check asks the person. */
        SCOPE_CHANGED
    }

    public record Snapshot(Outcome outcome, Backup backup) {
    }

    /** The snapshot was written but is not what it should be: nothing is recorded, nothing deleted. */
    public static final class SnapshotVerificationException extends IllegalStateException {
        SnapshotVerificationException(String message) {
            super(message);
        }
    }

    /** The format a snapshot names in its manifest; a restore reads only this one. */
    public static final String FORMAT = "psa-integration-removal/scope-snapshot/1";
    private static final Logger log = LoggerFactory.getLogger(ScopeSnapshots.class);

    private final RemovalService removalService;
    private final RemovalRules rules;
    private final ScopeContract scope;
    private final PlatformData platformData;
    private final SnapshotStore store;
    private final BackupService backups;
    private final BackupProperties properties;
    private final JdbcClient jdbc;
    private final ObjectMapper json = new ObjectMapper();

    ScopeSnapshots(RemovalService removalService, RemovalRules rules, ScopeContract scope, PlatformData platformData,
            SnapshotStore store, BackupService backups, BackupProperties properties, JdbcClient jdbc) {
        this.removalService = removalService;
        this.rules = rules;
        this.scope = scope;
        this.platformData = platformData;
        this.store = store;
        this.backups = backups;
        this.properties = properties;
        this.jdbc = jdbc;
    }

    /**
     * Takes the verified snapshot of the removal's confirmed scope round, once per round.
     *
     * @throws RemovalRefusedException when a rule of the delete is broken; the removal has then ended as refused
     * @throws SnapshotVerificationException when what was stored is not what was written (the job fails and is retried)
     */
    public Snapshot take(String processInstanceId) {
        Removal removal = removalService.get(processInstanceId);
        removalService.refusingOnBrokenRule(removal, () -> {
            rules.requireChosen(removal, RemovalMode.DELETE, "Take a verified snapshot of the scope");
            rules.requireState(removal, "Take a verified snapshot of the scope", RemovalStatus.CONFIRMED);
            rules.requirePermittedRequester(removal);
            rules.requirePermittedConfirmer(removal);
            if (removal.scopeRound() == null) {
                throw new RemovalRefusedException("Nothing is deleted: removal " + removal.businessKey()
                        + " has no confirmed scope on record.");
            }
            return null;
        });
        int round = removal.scopeRound();
        var earlier = backups.snapshotOf(removal.id(), round);
        if (earlier.isPresent()) {
            return new Snapshot(Outcome.ALREADY_TAKEN, earlier.get());
        }
        Written written = inOneInstant(() -> write(removal, round));
        if (written == null) {
            log.warn("Removal {}: no snapshot taken, the scope changed since it was confirmed", removal.businessKey());
            return new Snapshot(Outcome.SCOPE_CHANGED, null);
        }
        OffsetDateTime verifiedAt;
        try {
            verifiedAt = verify(removal, written);
        } catch (SnapshotVerificationException failed) {
            try {
                store.delete(written.location());
            } catch (IOException | RuntimeException e) {
                failed.addSuppressed(e);
            }
            throw failed;
        }
        Backup backup = backups.recordSnapshot(new BackupService.SnapshotRecord(removal.requireAccountId(), removal.id(),
                round, removal.requestedBy(), written.location(), written.sizeBytes(), written.sha256(), written.takenAt(),
                verifiedAt, verifiedAt.plus(properties.snapshotRetention()),
                "Verified snapshot of round " + round + " of the scope, before the hard delete"));
        log.info("Removal {}: snapshot of scope round {} written to {} ({} bytes, {}), read back and verified",
                removal.businessKey(), round, written.location(), written.sizeBytes(), written.rows());
        return new Snapshot(Outcome.TAKEN, backup);
    }

    /** Runs the work in the snapshot's transaction: REPEATABLE READ and read-only, so all it reads is of one instant. */
    <T> T inOneInstant(java.util.function.Supplier<T> work) {
        return scope.inOneInstant(work);
    }

    /** What was written: where, its size and SHA-256, when it was taken, and each table's rows and SHA-256. */
    private record Written(String location, long sizeBytes, String sha256, OffsetDateTime takenAt,
            Map<String, Long> rows, Map<String, String> entrySha256) {
    }

    /** In the REPEATABLE READ transaction: the scope is the confirmed one, then every table of it, all of one instant. */
    private Written write(Removal removal, int round) {
        if (!scope.changedSinceConfirmed(removal, RemovalMode.DELETE).isEmpty()) {
            return null;
        }
        OffsetDateTime takenAt = jdbc.sql("select now()").query(OffsetDateTime.class).single()
                .withOffsetSameInstant(ZoneOffset.UTC);
        Map<String, String> entrySha256 = new LinkedHashMap<>();
        try (SnapshotStore.Draft draft = store.create("removal-" + removal.id() + "-round-" + round)) {
            MessageDigest whole = Sha256.digest();
            CountingOutputStream counted = new CountingOutputStream(new DigestOutputStream(draft.out(), whole));
            Map<String, Long> rows;
            try (ZipOutputStream zip = new ZipOutputStream(counted)) {
                // The fastest compression: the snapshot stands between the confirmation and the delete.
                zip.setLevel(Deflater.BEST_SPEED);
                EntryWriter entries = new EntryWriter(zip, entrySha256);
                rows = platformData.exportScope(removal.requireIntegrationId(), entries::next);
                entries.finish();
                zip.putNextEntry(new ZipEntry("manifest.json"));
                zip.write(json.writerWithDefaultPrettyPrinter().writeValueAsBytes(
                        manifest(removal, round, takenAt, rows, entrySha256)));
                zip.closeEntry();
            }
            String location = draft.commit();
            return new Written(location, counted.count, Sha256.hex(whole), takenAt, rows,
                    entrySha256);
        } catch (IOException e) {
            throw new IllegalStateException("The snapshot of removal " + removal.businessKey() + " could not be written: "
                    + e.getMessage(), e);
        }
    }

    private ObjectNode manifest(Removal removal, int round, OffsetDateTime takenAt, Map<String, Long> rows,
            Map<String, String> entrySha256) {
        ObjectNode manifest = json.createObjectNode();
        manifest.put("format", FORMAT);
        manifest.put("removal", removal.businessKey());
        manifest.put("accountId", removal.requireAccountId());
        manifest.put("psaIntegrationId", removal.requireIntegrationId());
        manifest.put("psaIntegrationName", removal.integrationName());
        manifest.put("scopeRound", round);
        manifest.put("scopeChecksum", jdbc.sql("select delete_checksum from removal_scope_round where removal_id = :id"
                + " and round = :round").param("id", removal.id()).param("round", round).query(String.class).single());
        manifest.put("takenAt", takenAt.toString());
        manifest.put("consistency", "one REPEATABLE READ transaction: every table as of takenAt");
        var tables = manifest.putArray("tables");
        rows.forEach((table, count) -> tables.addObject().put("name", table).put("file", table + ".csv")
                .put("rows", count).put("sha256", entrySha256.get(table)));
        return manifest;
    }

    /**
     * Reads the stored snapshot back from the store, whole: its SHA-256 and size as written, every table's entry with
     * the SHA-256 and rows written, the manifest saying the same, and the rows per table those of the confirmed scope.
     */
    private OffsetDateTime verify(Removal removal, Written written) {
        Map<String, Long> expected = scope.expectedRows(removal.id(), removal.scopeRound());
        Map<String, String> readSha256 = new LinkedHashMap<>();
        Map<String, Long> readRows = new LinkedHashMap<>();
        JsonNode manifest = null;
        MessageDigest whole = Sha256.digest();
        try (InputStream stored = store.open(written.location());
             DigestInputStream digested = new DigestInputStream(stored, whole);
             ZipInputStream zip = new ZipInputStream(digested)) {
            for (ZipEntry entry = zip.getNextEntry(); entry != null; entry = zip.getNextEntry()) {
                if (entry.getName().equals("manifest.json")) {
                    manifest = json.readTree(zip.readAllBytes());
                    continue;
                }
                MessageDigest sha = Sha256.digest();
                CsvRecords records = new CsvRecords();
                byte[] buffer = new byte[64 * 1024];
                for (int n = zip.read(buffer); n >= 0; n = zip.read(buffer)) {
                    sha.update(buffer, 0, n);
                    records.feed(buffer, n);
                }
                String table = entry.getName().replaceFirst("\\.csv$", "");
                readSha256.put(table, Sha256.hex(sha));
                readRows.put(table, records.rows());
            }
            digested.transferTo(OutputStream.nullOutputStream()); // the rest of the file, for its SHA-256
        } catch (IOException e) {
            throw failed(removal, "it could not be read back from the store (" + e.getMessage() + ")");
        }
        String sha256 = Sha256.hex(whole);
        if (!sha256.equals(written.sha256())) {
            throw failed(removal, "the stored file's SHA-256 is " + sha256 + ", not the " + written.sha256() + " written");
        }
        if (!readSha256.equals(written.entrySha256()) || !readRows.equals(written.rows())) {
            throw failed(removal, "its tables read back as " + readRows + " with SHA-256 " + readSha256
                    + ", not as written: " + written.rows() + ", " + written.entrySha256());
        }
        if (!readRows.equals(expected)) {
            throw failed(removal, "it holds " + readRows + " rows, not the confirmed scope's " + expected);
        }
        if (manifest == null || !FORMAT.equals(manifest.path("format").asText())
                || manifest.path("tables").size() != readRows.size()) {
            throw failed(removal, "its manifest is missing or does not list its tables");
        }
        Optional<String> otherwise = tableNotAsManifestSays(manifest, readRows, readSha256);
        if (otherwise.isPresent()) {
            throw failed(removal, "its manifest says otherwise of table " + otherwise.get());
        }
        return jdbc.sql("select now()").query(OffsetDateTime.class).single().withOffsetSameInstant(ZoneOffset.UTC);
    }

    /**
     * The first table of the manifest whose rows or SHA-256 differ from those read from the snapshot's entries, if any:
     * how both the verification after writing and a restore check a snapshot against its manifest.
     */
    public static Optional<String> tableNotAsManifestSays(JsonNode manifest, Map<String, Long> rows,
            Map<String, String> sha256) {
        for (JsonNode table : manifest.path("tables")) {
            String name = table.path("name").asText();
            if (table.path("rows").asLong(-1) != rows.getOrDefault(name, -2L)
                    || !table.path("sha256").asText().equals(sha256.get(name))) {
                return Optional.of(name);
            }
        }
        return Optional.empty();
    }

    private SnapshotVerificationException failed(Removal removal, String why) {
        return new SnapshotVerificationException("The snapshot of removal " + removal.businessKey()
                + " failed its verification, so nothing is deleted: " + why + ".");
    }

    /** One zip entry per table, each with its own SHA-256; the zip stays open for the next. */
    private static final class EntryWriter {
        private final ZipOutputStream zip;
        private final Map<String, String> sha256;
        private String table;
        private MessageDigest digest;

        EntryWriter(ZipOutputStream zip, Map<String, String> sha256) {
            this.zip = zip;
            this.sha256 = sha256;
        }

        OutputStream next(String nextTable) throws IOException {
            finish();
            table = nextTable;
            digest = Sha256.digest();
            zip.putNextEntry(new ZipEntry(nextTable + ".csv"));
            return new DigestOutputStream(new FilterOutputStream(zip) {
                @Override
                public void write(byte[] bytes, int offset, int length) throws IOException {
                    out.write(bytes, offset, length);
                }

                @Override
                public void close() {
                    // the entry ends with the next table; the zip is closed by its owner
                }
            }, digest);
        }

        void finish() throws IOException {
            if (table != null) {
                zip.closeEntry();
                sha256.put(table, Sha256.hex(digest));
                table = null;
            }
        }
    }

    private static final class CountingOutputStream extends FilterOutputStream {
        long count;

        CountingOutputStream(OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            out.write(b);
            count++;
        }

        @Override
        public void write(byte[] bytes, int offset, int length) throws IOException {
            out.write(bytes, offset, length);
            count += length;
        }
    }

    /** Counts the records of a CSV stream (RFC 4180: a line break inside quotes is data), less the header. */
    static final class CsvRecords {
        private boolean quoted;
        private long lineBreaks;
        private boolean pending;

        void feed(byte[] bytes, int length) {
            for (int i = 0; i < length; i++) {
                byte b = bytes[i];
                if (b == '"') {
                    quoted = !quoted;
                } else if (b == '\n' && !quoted) {
                    lineBreaks++;
                    pending = false;
                    continue;
                }
                pending = true;
            }
        }

        long rows() {
            long records = lineBreaks + (pending ? 1 : 0);
            return Math.max(0, records - 1);
        }
    }
}
