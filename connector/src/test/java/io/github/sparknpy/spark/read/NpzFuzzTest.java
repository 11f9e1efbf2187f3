package io.github.sparknpy.spark.read;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyException;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import io.github.sparknpy.npy.io.SeekableInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileStatus;
import org.apache.spark.sql.util.CaseInsensitiveStringMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The connector's own parsing of {@code .npz} archives (the zip directory, zip64 records, member
 * headers, inflated prefixes), fed valid archives made by {@code java.util.zip} and then mutated:
 * bit flips, truncation, and 2-, 4- and 8-byte fields overwritten with extreme values (the sizes,
 * offsets and counts a hostile archive would lie about), with and without a zip64 record. The only
 * outcome allowed besides success is an {@link NpyException} naming the file: no other exception,
 * no error, no input taking more than a second. Seeded: {@code -Dnpy.fuzz.seed=N}, {@code
 * -Dnpy.fuzz.npzTries=N}.
 */
class NpzFuzzTest extends NpyReadTestBase {
  private static final long SEED = Long.getLong("npy.fuzz.seed", 20261126L);
  private static final int TRIES = Integer.getInteger("npy.fuzz.npzTries", 20_000);
  private static final long[] EXTREMES = {
    0,
    1,
    -1,
    0xffffL,
    0xffffffffL,
    Integer.MAX_VALUE,
    Integer.MIN_VALUE,
    Long.MAX_VALUE,
    Long.MIN_VALUE,
    1L << 31,
    1L << 32,
    46,
    22
  };

  private static byte[] npy(SplittableRandom r) {
    String[] dtypes = {"<f8", "<i4", "|u1", "<f4", "|b1", "<U3", "|S5", "<c16"};
    DType dtype = DType.of(dtypes[r.nextInt(dtypes.length)]);
    long rows = r.nextInt(5);
    long[] shape = r.nextBoolean() ? new long[] {rows} : new long[] {rows, 1 + r.nextInt(3)};
    NpyHeader h = NpyHeader.of(dtype, false, shape);
    byte[] header = h.encode();
    byte[] out = new byte[(int) (header.length + h.dataBytes())];
    System.arraycopy(header, 0, out, 0, header.length);
    return out;
  }

  /** A valid archive of 1 to 3 members, stored or deflated, maybe with a zip64 record. */
  private static byte[] archive(SplittableRandom r) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      int members = 1 + r.nextInt(3);
      for (int i = 0; i < members; i++) {
        byte[] content = npy(r);
        ZipEntry e = new ZipEntry("m" + i + ".npy");
        if (r.nextBoolean()) {
          e.setMethod(ZipEntry.STORED);
          CRC32 crc = new CRC32();
          crc.update(content);
          e.setSize(content.length);
          e.setCompressedSize(content.length);
          e.setCrc(crc.getValue());
        }
        zip.putNextEntry(e);
        zip.write(content);
        zip.closeEntry();
      }
    }
    byte[] zip = bytes.toByteArray();
    return r.nextInt(4) == 0 ? withZip64Record(zip) : zip;
  }

  /**
   * Inserts a zip64 end record and locator before the end record, pointing at the same directory.
   */
  private static byte[] withZip64Record(byte[] zip) {
    ByteBuffer in = ByteBuffer.wrap(zip).order(ByteOrder.LITTLE_ENDIAN);
    int eocd = zip.length - 22;
    long entries = in.getShort(eocd + 10) & 0xffff;
    long cdSize = in.getInt(eocd + 12) & 0xffffffffL;
    long cdOffset = in.getInt(eocd + 16) & 0xffffffffL;
    ByteBuffer out = ByteBuffer.allocate(zip.length + 56 + 20).order(ByteOrder.LITTLE_ENDIAN);
    out.put(zip, 0, eocd);
    long z64 = out.position();
    out.putInt(0x06064b50).putLong(44).putShort((short) 45).putShort((short) 45);
    out.putInt(0).putInt(0).putLong(entries).putLong(entries).putLong(cdSize).putLong(cdOffset);
    out.putInt(0x07064b50).putInt(0).putLong(z64).putInt(1);
    out.put(zip, eocd, 22);
    return out.array();
  }

  private static byte[] mutate(byte[] valid, SplittableRandom r) {
    byte[] b = valid.clone();
    int n = 1 + r.nextInt(3);
    for (int k = 0; k < n && b.length > 8; k++) {
      switch (r.nextInt(5)) {
        case 0 -> b[r.nextInt(b.length)] ^= (byte) (1 << r.nextInt(8));
        case 1 -> b = java.util.Arrays.copyOf(b, r.nextInt(b.length));
        default -> {
          int width = new int[] {2, 4, 8}[r.nextInt(3)];
          if (b.length > width) {
            // fields of the last records (directory, end records) are the interesting ones
            int at =
                r.nextBoolean()
                    ? b.length - 1 - r.nextInt(Math.min(b.length - width, 200)) - width + 1
                    : r.nextInt(b.length - width + 1);
            long v = r.nextBoolean() ? EXTREMES[r.nextInt(EXTREMES.length)] : r.nextLong();
            ByteBuffer w = ByteBuffer.wrap(b).order(ByteOrder.LITTLE_ENDIAN);
            switch (width) {
              case 2 -> w.putShort(Math.max(0, at), (short) v);
              case 4 -> w.putInt(Math.max(0, at), (int) v);
              default -> w.putLong(Math.max(0, at), v);
            }
          }
        }
      }
    }
    return b;
  }

  /** Runs {@code step}; fails on anything but success or an NpyException naming {@code name}. */
  private static void expectTyped(String name, byte[] input, long seed, int i, Step step) {
    long start = System.nanoTime();
    try {
      step.run();
    } catch (NpyException e) {
      assertThat(e.getMessage()).as("input %d of seed %d", i, seed).contains(name);
    } catch (Throwable t) {
      Path saved = Path.of("target", "fuzz-failures", "npz-seed" + seed + "-input" + i + ".npz");
      try {
        Files.createDirectories(saved.getParent());
        Files.write(saved, input);
      } catch (IOException e) {
        t.addSuppressed(e);
      }
      throw new AssertionError(
          "input "
              + i
              + " of seed "
              + seed
              + " ("
              + input.length
              + " bytes, saved as "
              + saved.toAbsolutePath()
              + ": add it to src/test/resources/fuzz-regressions-npz/) threw "
              + t,
          t);
    }
    long ms = (System.nanoTime() - start) / 1_000_000;
    assertThat(ms).as("input %d of seed %d took %d ms", i, seed, ms).isLessThan(1000);
  }

  private interface Step {
    void run() throws Exception;
  }

  @Test
  @Timeout(120)
  void zipDirectoryOfMutatedArchives() throws IOException {
    List<byte[]> valid = new ArrayList<>();
    SplittableRandom r = new SplittableRandom(SEED);
    for (int i = 0; i < 64; i++) {
      valid.add(archive(r));
    }
    for (int i = 0; i < TRIES; i++) {
      byte[] input = mutate(valid.get(r.nextInt(valid.size())), r);
      expectTyped(
          "fuzz.npz",
          input,
          SEED,
          i,
          () -> {
            try (SeekableInputStream in = new ByteArrayInputFile(input, "fuzz.npz").newStream()) {
              NpzDirectory.read(in, input.length, "fuzz.npz");
            }
          });
    }
  }

  @Test
  @Timeout(120)
  void probeOfMutatedArchivesOnDisk() throws IOException {
    Path dir = newDir("npz-fuzz");
    Configuration conf = new Configuration();
    NpyReadOptions options = NpyReadOptions.parse(spark(), new CaseInsensitiveStringMap(Map.of()));
    SplittableRandom r = new SplittableRandom(SEED + 1);
    int tries = Math.max(1, TRIES / 10);
    for (int i = 0; i < tries; i++) {
      byte[] input = mutate(archive(r), r);
      Path file = dir.resolve("fuzz-" + (i % 8) + ".npz");
      Files.write(file, input);
      org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
      FileStatus st = path.getFileSystem(conf).getFileStatus(path);
      expectTyped(
          file.getFileName().toString(),
          input,
          SEED + 1,
          i,
          () -> NpyFileProbe.probe(st, conf, options));
    }
  }

  /** Every archive that ever failed this fuzz test, with what it must give now. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        // a zip64 end record whose directory size is negative: allocated before the fix
        "npz-seed20261126-input524.npz | the central directory lies beyond the end of the file",
        // the same through the probe, with a zip64 record whose values went negative
        "npz-seed20261127-input1358.npz | the central directory lies beyond the end of the file"
      })
  void regressions(String name, String message) throws Exception {
    Path file = newDir("npz-regressions").resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/fuzz-regressions-npz/" + name)) {
      Files.write(file, in.readAllBytes());
    }
    Configuration conf = new Configuration();
    org.apache.hadoop.fs.Path path = new org.apache.hadoop.fs.Path(file.toUri());
    FileStatus st = path.getFileSystem(conf).getFileStatus(path);
    NpyReadOptions options = NpyReadOptions.parse(spark(), new CaseInsensitiveStringMap(Map.of()));
    assertThatThrownBy(() -> NpyFileProbe.probe(st, conf, options))
        .isInstanceOf(NpyFormatException.class)
        .hasMessageContaining(name)
        .hasMessageContaining(message);
  }

  /**
   * Found by reading the code: a zip64 extra field (sizes stored as 0xffffffff) whose declared
   * length runs past the end of the central directory was read beyond it.
   */
  @Test
  void zip64ExtraFieldRunningPastItsEntryIsAFormatError() throws IOException {
    byte[] content = npy(new SplittableRandom(1));
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
      ZipEntry e = new ZipEntry("x.npy");
      // id 1 (zip64), declared 100 bytes, 8 present
      e.setExtra(new byte[] {1, 0, 100, 0, 0, 0, 0, 0, 0, 0, 0, 0});
      zip.putNextEntry(e);
      zip.write(content);
      zip.closeEntry();
    }
    byte[] archive = bytes.toByteArray();
    ByteBuffer b = ByteBuffer.wrap(archive).order(ByteOrder.LITTLE_ENDIAN);
    int cd = b.getInt(archive.length - 22 + 16);
    assertThat(b.getInt(cd)).isEqualTo(0x02014b50);
    // both sizes 0xffffffff: look for them in the zip64 field, which holds only the first
    b.putInt(cd + 20, -1);
    b.putInt(cd + 24, -1);
    try (SeekableInputStream in = new ByteArrayInputFile(archive, "x.npz").newStream()) {
      assertThatThrownBy(() -> NpzDirectory.read(in, archive.length, "x.npz"))
          .isInstanceOf(NpyFormatException.class)
          .hasMessageContaining("x.npz")
          .hasMessageContaining("broken extra field in central directory entry 0");
    }
  }
}
