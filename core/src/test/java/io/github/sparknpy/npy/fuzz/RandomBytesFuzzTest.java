package io.github.sparknpy.npy.fuzz;

import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/**
 * Random bytes as a whole file, and random bytes behind the real magic string with a random version
 * and length field: reading the header and opening the file fail only with a typed format error.
 */
class RandomBytesFuzzTest {
  @Test
  void randomBytes() {
    long tries = FuzzSettings.tries(FuzzSettings.RANDOM_BYTES);
    FuzzRun.run(
        "random-bytes",
        tries,
        r -> {
          byte[] b = new byte[r.nextInt(r.nextBoolean() ? 16 : 600)];
          r.nextBytes(b);
          return b;
        },
        ReadEverything::inMemory);
  }

  @Test
  void randomBytesAfterTheMagic() {
    long tries = FuzzSettings.tries(FuzzSettings.MAGIC_PREFIXED);
    FuzzRun.run(
        "magic-prefixed", tries, RandomBytesFuzzTest::magicPrefixed, ReadEverything::header);
  }

  private static byte[] magicPrefixed(SplittableRandom r) {
    byte[] b = new byte[r.nextInt(6, 700)];
    r.nextBytes(b);
    byte[] magic = {(byte) 0x93, 'N', 'U', 'M', 'P', 'Y'};
    System.arraycopy(magic, 0, b, 0, 6);
    if (b.length > 7 && r.nextInt(4) != 0) {
      b[6] = (byte) r.nextInt(1, 4);
      b[7] = 0;
    }
    if (b.length > 11 && r.nextBoolean()) {
      // A length field that fits the file, so that the random text reaches the parser.
      int text = b.length - (b[6] == 1 ? 10 : 12);
      long length = r.nextBoolean() ? text : r.nextLong(0, 0x100000000L);
      for (int i = 0; i < (b[6] == 1 ? 2 : 4); i++) {
        b[8 + i] = (byte) (length >>> (8 * i));
      }
    }
    if (b.length > 12 && r.nextBoolean()) {
      // Text made of header-ish characters gets further into the dictionary parser.
      byte[] alphabet =
          "{}()[]'\": ,0123456789TrueFalse<f8descrshape_ordr\n"
              .getBytes(java.nio.charset.StandardCharsets.ISO_8859_1);
      for (int i = 12; i < b.length; i++) {
        b[i] = alphabet[r.nextInt(alphabet.length)];
      }
    }
    return b;
  }
}
