package io.github.sparknpy.npy.header;

/**
 * The {@code .npy} format versions: 1.0 (2-byte header length, latin-1), 2.0 (4-byte length,
 * latin-1) and 3.0 (4-byte length, UTF-8 header).
 */
public enum NpyVersion {
  V1_0(1, 2),
  V2_0(2, 4),
  V3_0(3, 4);

  private final int major;
  private final int lengthFieldBytes;

  NpyVersion(int major, int lengthFieldBytes) {
    this.major = major;
    this.lengthFieldBytes = lengthFieldBytes;
  }

  public int major() {
    return major;
  }

  /** Bytes before the header text: magic (6), version (2) and the length field. */
  public int prefixLength() {
    return 8 + lengthFieldBytes;
  }

  int lengthFieldBytes() {
    return lengthFieldBytes;
  }

  /** The largest header (text plus padding) the length field can hold. */
  public long maxHeaderTextLength() {
    return lengthFieldBytes == 2 ? 0xffffL : 0xffffffffL;
  }

  static NpyVersion of(int major, int minor) {
    if (minor == 0) {
      for (NpyVersion v : values()) {
        if (v.major == major) {
          return v;
        }
      }
    }
    return null;
  }

  /** As numpy writes it, e.g. {@code "1.0"}. */
  @Override
  public String toString() {
    return major + ".0";
  }
}
