package io.github.sparknpy.npy.header;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import io.github.sparknpy.npy.dtype.DType;
import io.github.sparknpy.npy.error.NpyFormatException;
import io.github.sparknpy.npy.io.ByteArrayInputFile;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Seeded random mutations of valid headers (flipped, inserted, deleted and repeated bytes, cuts,
 * splices of header text): reading one either succeeds or fails with {@link NpyFormatException},
 * never another exception, and each read is fast. The reliability issue extends this to a
 * coverage-guided fuzzer; this keeps the guarantee checked in every build.
 */
class HeaderMutationTest {
  private static final int INPUTS = 30_000;

  private static List<byte[]> seeds() {
    List<byte[]> seeds = new ArrayList<>();
    String[] descrs = {
      "'<f8'",
      "'|b1'",
      "'>i2'",
      "'<U7'",
      "'|S3'",
      "'<M8[25s]'",
      "'<m8[ns]'",
      "'|V4'",
      "[('a', '<i4'), ('b', [('c', '>f8', (2, 3))]), ('', '|V4'), (('t', 'n'), '|u1')]",
      "[('\u540d', '<c16')]"
    };
    long[][] shapes = {{}, {0}, {7}, {3, 4}, {2, 3, 4}};
    for (String descr : descrs) {
      for (long[] shape : shapes) {
        for (boolean fortran : new boolean[] {false, true}) {
          seeds.add(NpyHeader.of(DType.parse(descr), fortran, shape).encode());
        }
      }
    }
    return seeds;
  }

  @Test
  void mutatedHeadersFailOnlyWithNpyFormatException() {
    Random random = new Random(20261125L);
    List<byte[]> seeds = seeds();
    byte[] tokens =
        "()[]{},:'\"\\ -0123456789LTrueFalseNone#\n\u00e9".getBytes(StandardCharsets.UTF_8);
    int succeeded = 0;
    for (int i = 0; i < INPUTS; i++) {
      byte[] input = mutate(seeds.get(random.nextInt(seeds.size())), random, tokens);
      long start = System.nanoTime();
      try {
        EncodedHeader.read(new ByteArrayInputFile(input, "mutant-" + i));
        succeeded++;
      } catch (NpyFormatException e) {
        assertThat(e.getMessage()).startsWith("Cannot read mutant-" + i + ": ");
      } catch (Throwable t) {
        fail("input " + i + " " + Arrays.toString(input) + " threw " + t, t);
      }
      long millis = (System.nanoTime() - start) / 1_000_000;
      assertThat(millis).as("input %d took %d ms", i, millis).isLessThan(1_000);
    }
    // The mutations must also leave some headers valid, or the test would only probe the magic.
    assertThat(succeeded).isBetween(INPUTS / 50, INPUTS - INPUTS / 50);
  }

  private static byte[] mutate(byte[] seed, Random random, byte[] tokens) {
    byte[] b = seed.clone();
    int edits = 1 + random.nextInt(4);
    for (int e = 0; e < edits; e++) {
      int kind = random.nextInt(7);
      // Mostly inside the header text (after the 10-byte prefix), sometimes in the prefix.
      int pos =
          b.length == 0
              ? 0
              : random.nextInt(10) == 0
                  ? random.nextInt(Math.min(12, b.length))
                  : 10 + random.nextInt(Math.max(1, b.length - 10));
      pos = Math.min(pos, b.length);
      switch (kind) {
        case 0 -> {
          if (pos < b.length) {
            b[pos] ^= (byte) (1 << random.nextInt(8));
          }
        }
        case 1 -> b = insert(b, pos, new byte[] {tokens[random.nextInt(tokens.length)]});
        case 2 -> {
          if (pos < b.length) {
            b = delete(b, pos, 1 + random.nextInt(Math.min(8, b.length - pos)));
          }
        }
        case 3 -> b = Arrays.copyOf(b, random.nextInt(b.length + 1));
        case 4 -> {
          // Repeat a slice: nested brackets, long numbers, duplicated keys.
          int len = 1 + random.nextInt(Math.max(1, Math.min(16, b.length - pos)));
          byte[] slice = Arrays.copyOfRange(b, pos, Math.min(b.length, pos + len));
          for (int r = random.nextInt(20); r >= 0; r--) {
            b = insert(b, pos, slice);
          }
        }
        case 5 -> {
          if (pos < b.length) {
            b[pos] = (byte) random.nextInt(256);
          }
        }
        default -> {
          // Random length field: up to 4 GiB in a version 2/3 prefix.
          if (b.length >= 12) {
            for (int k = 8; k < 12; k++) {
              b[k] = (byte) random.nextInt(256);
            }
          }
        }
      }
    }
    return b;
  }

  private static byte[] insert(byte[] b, int pos, byte[] what) {
    byte[] out = new byte[b.length + what.length];
    System.arraycopy(b, 0, out, 0, pos);
    System.arraycopy(what, 0, out, pos, what.length);
    System.arraycopy(b, pos, out, pos + what.length, b.length - pos);
    return out;
  }

  private static byte[] delete(byte[] b, int pos, int len) {
    byte[] out = new byte[b.length - len];
    System.arraycopy(b, 0, out, 0, pos);
    System.arraycopy(b, pos + len, out, pos, b.length - pos - len);
    return out;
  }
}
