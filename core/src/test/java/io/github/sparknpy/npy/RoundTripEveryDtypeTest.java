package io.github.sparknpy.npy;

import static org.assertj.core.api.Assertions.assertThat;

import io.github.sparknpy.npy.header.NpyHeader;
import io.github.sparknpy.npy.testing.Numpy;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Every dtype, both orders and several shapes: numpy writes an array, this library reads its rows
 * and appends them to a new file in two pieces, and the new file must be byte for byte what np.save
 * writes for the same array (so numpy loads the same dtype, shape, order and values).
 */
class RoundTripEveryDtypeTest {
  @TempDir Path dir;

  @Test
  void rowsReadAndAppendedAgainAreByteIdenticalToNpSave() throws Exception {
    String make =
        "d = sys.argv[1]\n"
            + "rng = np.random.default_rng(7)\n"
            + "dtypes = ['?', 'i1', '<i2', '>i2', '<i4', '>i8', 'u1', '<u2', '>u4', '<u8', '<f2', '>f4', '<f8', '>f8',\n"
            + "          np.longdouble, '<c8', '>c16', 'S1', 'S7', '<U1', '>U5', 'V3', '<M8[ns]', '>M8[D]', '<M8[Y]',\n"
            + "          '<M8[25s]', '<m8[us]', '>m8[h]',\n"
            + "          [('a', '<i4'), ('b', '>f8', (2,)), ('c', [('x', 'S3'), ('y', '<u2')]), ('d', '<U2')],\n"
            + "          np.dtype([('p', 'i1'), ('q', '<f8')], align=True)]\n"
            + "shapes = [(5,), (4, 3), (3, 2, 2), (1, 1), (0, 4)]\n"
            + "names = []\n"
            + "for i, dt in enumerate(dtypes):\n"
            + "    dt = np.dtype(dt)\n"
            + "    for j, shape in enumerate(shapes):\n"
            + "        n = int(np.prod(shape))\n"
            + "        raw = rng.integers(0, 256, size=n * dt.itemsize, dtype=np.uint8).tobytes()\n"
            + "        a = np.frombuffer(raw, dtype=dt).reshape(shape) if n else np.zeros(shape, dt)\n"
            + "        if dt.kind in 'fc' or dt.fields: a = a.copy()\n"
            + "        if dt.kind == 'U': a = np.array(['h\u00e9'[:k % 3] for k in range(n)], dtype=dt).reshape(shape)\n"
            + "        if dt.kind == 'b': a = (np.arange(n) % 3 == 0).reshape(shape)\n"
            + "        for fortran in (False, True):\n"
            + "            if fortran and len(shape) < 2: continue\n"
            + "            name = f'{d}/a{i}_{j}_{int(fortran)}.npy'\n"
            + "            np.save(name, np.asfortranarray(a) if fortran else a)\n"
            + "            names.append(name)\n"
            + "print('\\n'.join(names))";
    List<String> names = Numpy.run(make, dir).lines().collect(Collectors.toList());
    assertThat(names).hasSizeGreaterThan(200);
    StringBuilder pairs = new StringBuilder();
    for (String name : names) {
      Path source = Path.of(name);
      Path copy = Path.of(name.replace(".npy", ".copy.npy"));
      try (NpyFile in = NpyFile.open(source);
          NpyAppendArray out = NpyAppendArray.builder(copy).rewriteHeaderOnAppend(false).open()) {
        NpyHeader h = in.header();
        long rows = in.rowCount();
        long half = rows / 2;
        for (long[] piece : new long[][] {{0, half}, {half, rows - half}}) {
          ByteBuffer bytes = in.rows(piece[0], piece[1]);
          long[] shape = h.shape();
          shape[h.growthAxis()] = piece[1];
          out.append(NpyArray.of(h.dtype(), bytes, h.fortranOrder(), shape));
        }
      }
      pairs.append(source).append(' ').append(copy).append('\n');
    }
    Path list = dir.resolve("pairs.txt");
    Files.writeString(list, pairs);
    String check =
        "bad = []\n"
            + "for line in open(sys.argv[1]):\n"
            + "    src, copy = line.split()\n"
            + "    if open(src, 'rb').read() != open(copy, 'rb').read():\n"
            + "        bad.append(src)\n"
            + "    a, b = np.load(src, mmap_mode='r'), np.load(copy, mmap_mode='r')\n"
            + "    assert a.dtype == b.dtype and a.shape == b.shape and a.flags.f_contiguous == b.flags.f_contiguous\n"
            + "print(len(bad), bad[:5])";
    assertThat(Numpy.run(check, list).trim()).isEqualTo("0 []");
  }
}
