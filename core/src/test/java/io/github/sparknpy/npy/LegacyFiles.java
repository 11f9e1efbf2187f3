package io.github.sparknpy.npy;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/**
 * Builds .npy files the way numpy before 1.? wrote them: no growth spare space, 16-byte alignment.
 */
final class LegacyFiles {
  private LegacyFiles() {}

  static byte[] legacyNpy(String descr, String shape, byte[] data) {
    return legacyNpy(descr, false, shape, data);
  }

  static byte[] legacyNpy(String descr, boolean fortran, String shape, byte[] data) {
    String dict =
        "{'descr': '"
            + descr
            + "', 'fortran_order': "
            + (fortran ? "True" : "False")
            + ", 'shape': "
            + shape
            + ", }";
    int total = 10 + dict.length() + 1;
    int pad = (16 - total % 16) % 16;
    String text = dict + " ".repeat(pad) + "\n";
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(0x93);
    out.writeBytes("NUMPY".getBytes(StandardCharsets.US_ASCII));
    out.write(1);
    out.write(0);
    out.write(text.length() & 0xff);
    out.write(text.length() >>> 8);
    out.writeBytes(text.getBytes(StandardCharsets.ISO_8859_1));
    out.writeBytes(data);
    return out.toByteArray();
  }
}
