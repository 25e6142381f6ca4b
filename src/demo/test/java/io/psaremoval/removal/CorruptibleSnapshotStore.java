package io.psaremoval.removal;

import io.psaremoval.backup.BackupProperties;
import io.psaremoval.backup.FolderSnapshotStore;
import io.psaremoval.backup.SnapshotStore;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import org.springframework.boot.test.context.TestConfiguration;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Primary;

/**
 * The default folder store, whose reads can be made to return a damaged byte, as a failing disk or a broken network
 * share would: a snapshot then fails its verification. Only the process tests' own context uses it.
 */
@TestConfiguration(proxyBeanMethods = false)
class CorruptibleSnapshotStore {

    /** While set, every snapshot read back from the store has one byte flipped. */
    static final AtomicBoolean corruptReads = new AtomicBoolean();

    @Bean
    @Primary
    SnapshotStore snapshotStoreThatCanDamageReads(BackupProperties properties) {
        SnapshotStore folder = new FolderSnapshotStore(Path.of(properties.snapshotDirectory()));
        return new SnapshotStore() {
            @Override
            public Draft create(String name) throws IOException {
                return folder.create(name);
            }

            @Override
            public InputStream open(String location) throws IOException {
                InputStream stored = folder.open(location);
                return corruptReads.get() ? flippingOneByte(stored) : stored;
            }

            @Override
            public void delete(String location) throws IOException {
                folder.delete(location);
            }

            @Override
            public boolean deleteIfPresent(String location) throws IOException {
                return folder.deleteIfPresent(location);
            }

            @Override
            public List<Stored> list() throws IOException {
                return folder.list();
            }
        };
    }

    private static InputStream flippingOneByte(InputStream in) {
        return new FilterInputStream(in) {
            private long position;

            @Override
            public int read() throws IOException {
                int b = super.read();
                return b < 0 ? b : flip(position++, b);
            }

            @Override
            public int read(byte[] bytes, int offset, int length) throws IOException {
                int n = super.read(bytes, offset, length);
                for (int i = 0; i < n; i++) {
                    bytes[offset + i] = (byte) flip(position++, bytes[offset + i] & 0xff);
                }
                return n;
            }

            private int flip(long at, int b) {
                return at == 200 ? b ^ 0x5a : b;
            }
        };
    }
}
