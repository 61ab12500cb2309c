package io.hookshard.embedded;

import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Comparator;
import java.util.Locale;
import java.util.stream.Stream;

/**
 * Finds PostgreSQL server binaries: {@code HOOKSHARD_PG_BIN} if set, else the archive zonky ships in a Maven
 * artifact for this platform (unpacked once into a cache directory), else Debian's {@code /usr/lib/postgresql}.
 */
public final class PostgresBinaries {
    private static final Logger LOG = LoggerFactory.getLogger(PostgresBinaries.class);

    private final Path binDirectory;

    private PostgresBinaries(Path binDirectory) {
        this.binDirectory = binDirectory;
    }

    public static PostgresBinaries locate(Path cacheRoot) {
        String fromEnv = System.getenv("HOOKSHARD_PG_BIN");
        if (fromEnv != null && !fromEnv.isBlank()) {
            return new PostgresBinaries(Path.of(fromEnv));
        }
        String resource = "postgres-" + os() + "-" + arch() + ".txz";
        try (InputStream archive = PostgresBinaries.class.getClassLoader().getResourceAsStream(resource)) {
            if (archive != null) {
                return new PostgresBinaries(unpackOnce(archive, cacheRoot.resolve("pg-" + resource.replace(".txz", ""))));
            }
        } catch (IOException e) {
            throw new UncheckedIOException("could not unpack " + resource, e);
        }
        Path system = systemBinaries();
        if (system != null) {
            return new PostgresBinaries(system);
        }
        throw new IllegalStateException("no PostgreSQL binaries: no " + resource + " on the class path, nothing under"
                + " /usr/lib/postgresql, and HOOKSHARD_PG_BIN is not set");
    }

    public Path binary(String name) {
        return binDirectory.resolve(name);
    }

    private static Path unpackOnce(InputStream archive, Path target) throws IOException {
        Path done = target.resolve(".unpacked");
        if (Files.exists(done)) {
            return target.resolve("bin");
        }
        Files.createDirectories(target);
        // Several JVMs (parallel builds, dev mode and tests) may unpack at once; one does it, the others wait.
        try (FileChannel channel = FileChannel.open(target.resolve(".lock"), StandardOpenOption.CREATE,
                StandardOpenOption.WRITE); FileLock ignored = channel.lock()) {
            if (!Files.exists(done)) {
                LOG.info("unpacking PostgreSQL binaries into {}", target);
                untar(archive, target);
                Files.createFile(done);
            }
        }
        return target.resolve("bin");
    }

    private static void untar(InputStream archive, Path target) throws IOException {
        try (TarArchiveInputStream tar = new TarArchiveInputStream(
                new XZCompressorInputStream(new BufferedInputStream(archive)))) {
            TarArchiveEntry entry;
            while ((entry = tar.getNextEntry()) != null) {
                Path path = target.resolve(entry.getName()).normalize();
                if (!path.startsWith(target)) {
                    throw new IOException("archive entry escapes the target: " + entry.getName());
                }
                if (entry.isDirectory()) {
                    Files.createDirectories(path);
                } else if (entry.isSymbolicLink()) {
                    Files.createDirectories(path.getParent());
                    Files.deleteIfExists(path);
                    Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                } else {
                    Files.createDirectories(path.getParent());
                    Files.copy(tar, path, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    boolean executable = (entry.getMode() & 0100) != 0;
                    Files.setPosixFilePermissions(path, PosixFilePermissions.fromString(executable ? "rwxr-xr-x" : "rw-r--r--"));
                }
            }
        }
    }

    private static Path systemBinaries() {
        Path root = Path.of("/usr/lib/postgresql");
        if (!Files.isDirectory(root)) {
            return null;
        }
        try (Stream<Path> versions = Files.list(root)) {
            return versions.map(version -> version.resolve("bin"))
                    .filter(bin -> Files.isExecutable(bin.resolve("postgres")))
                    .max(Comparator.comparing(Path::toString))
                    .orElse(null);
        } catch (IOException e) {
            return null;
        }
    }

    private static String os() {
        String name = System.getProperty("os.name").toLowerCase(Locale.ROOT);
        return name.contains("mac") ? "darwin" : name.contains("win") ? "windows" : "linux";
    }

    private static String arch() {
        String arch = System.getProperty("os.arch");
        return switch (arch) {
            case "amd64", "x86_64" -> "x86_64";
            case "aarch64", "arm64" -> "arm_64";
            default -> arch;
        };
    }
}
