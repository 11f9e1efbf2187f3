package io.github.sparknpy.npy.cli;

import io.github.sparknpy.npy.testing.Numpy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** .npy files written by real numpy (once per test class), and copies of them to change. */
final class Fixtures {
  /** Writes every fixture into the directory given as sys.argv[1]. */
  static final String SCRIPT =
      """
      import os, warnings
      warnings.simplefilter('ignore')
      import numpy.lib._format_impl as F
      d = sys.argv[1]
      def p(name):
          return os.path.join(d, name)
      np.save(p('floats.npy'), np.array([0.0, 0.5, -1.25, 1e-07, 1e20, np.nan, np.inf, -0.0, 3.0, 2.5, 7.0, 1.5, 0.1], dtype='<f8'))
      np.save(p('ints.npy'), np.arange(15 * 3, dtype='<i4').reshape(15, 3) - 7)
      np.save(p('ints_more.npy'), np.arange(5 * 3, dtype='<i4').reshape(5, 3) * 10)
      np.save(p('ints_wide.npy'), np.zeros((2, 4), dtype='<i4'))
      np.save(p('smallints.npy'), np.arange(4 * 3, dtype='<i2').reshape(4, 3) + 100)
      np.save(p('doubles.npy'), np.ones((2, 3), dtype='<f8'))
      np.save(p('bigendian.npy'), np.arange(6, dtype='>i8').reshape(3, 2))
      np.save(p('cube.npy'), np.arange(2 * 3 * 2, dtype='<i8').reshape(2, 3, 2))
      np.save(p('fortran2d.npy'), np.asfortranarray(np.arange(4 * 5, dtype='<i4').reshape(4, 5)))
      np.save(p('fortran_k3.npy'), np.asfortranarray(np.arange(7 * 3, dtype='<i4').reshape(7, 3) + 1000))
      np.save(p('fortran_k32.npy'), np.asfortranarray(np.arange(5 * 3 * 2, dtype='<i8').reshape(5, 3, 2) - 50))
      np.save(p('fortran3d.npy'), np.asfortranarray(np.arange(2 * 3 * 4, dtype='<f4').reshape(2, 3, 4)))
      np.save(p('c_235.npy'), np.arange(2 * 3 * 5, dtype='<f4').reshape(2, 3, 5) / 4)
      rec = np.dtype([('i', '<i8'), ('f', '<f8'), ('s', 'S3'), ('u', '<U4')])
      r = np.zeros(4, dtype=rec)
      r['i'] = [1, -2, 3, 4]
      r['f'] = [2.5, 1e20, -0.0, 0.1]
      r['s'] = [b'ab', b'', b'x"y', b'q']
      r['u'] = ['xy', chr(233), chr(21517) + chr(23383), '']
      np.save(p('records.npy'), r)
      padded = np.dtype({'names': ['a', 'b', 'c'], 'formats': ['<i4', '<f8', ('<f4', (2,))], 'offsets': [0, 8, 16], 'itemsize': 32, 'titles': ['T', None, None]})
      np.save(p('padded.npy'), np.zeros((2, 3), dtype=padded))
      odd = 'q' + chr(39) + chr(34) + chr(92) + chr(9)
      np.save(p('nested.npy'), np.zeros(2, dtype=[('a', ('<f4', (2,)), (3,)), (odd, '|u1')]))
      with open(p('v2.npy'), 'wb') as f:
          F.write_array(f, np.arange(5, dtype='<u2'), version=(2, 0))
      np.save(p('v3.npy'), np.zeros(3, dtype=[(chr(21517), '<i2')]))
      np.save(p('scalar.npy'), np.float64(3.5))
      np.save(p('empty.npy'), np.zeros((0, 3), dtype='<f8'))
      a = np.arange(10, dtype='<i8')
      np.save(p('truncated.npy'), a)
      os.truncate(p('truncated.npy'), os.path.getsize(p('truncated.npy')) - 5)
      np.save(p('long.npy'), a)
      with open(p('long.npy'), 'ab') as f:
          f.write(b'abc')
      # As numpy < 1.14 wrote it: 16-byte alignment, no spare space for the shape to grow.
      text = "{'descr': '<i4', 'fortran_order': False, 'shape': (3,), }"
      pad = (16 - (10 + len(text) + 1) % 16) % 16
      header = text + ' ' * pad + chr(10)
      with open(p('legacy.npy'), 'wb') as f:
          f.write(b'\\x93NUMPY\\x01\\x00' + len(header).to_bytes(2, 'little') + header.encode('latin1'))
          f.write(np.array([5, 6, 7], dtype='<i4').tobytes())
      with open(p('not_npy.txt'), 'w') as f:
          f.write('hello, this is not a numpy file' + chr(10))
      """;

  private static Path dir;

  private Fixtures() {}

  /** The fixture directory, written once per test JVM and deleted when it exits. */
  static synchronized Path dir() {
    if (dir == null) {
      try {
        Path d = Files.createTempDirectory("npy-cli-fixtures");
        Runtime.getRuntime().addShutdownHook(new Thread(() -> deleteTree(d)));
        Numpy.run(SCRIPT, d);
        dir = d;
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return dir;
  }

  /** The path of fixture {@code name}. */
  static Path fixture(String name) {
    return dir().resolve(name);
  }

  /** A copy of fixture {@code name} in {@code dir} (as {@code name}), to change. */
  static Path copy(String name, Path dir) {
    return copy(name, dir, name);
  }

  /** A copy of fixture {@code name} at {@code dir/as}. */
  static Path copy(String name, Path dir, String as) {
    try {
      return Files.copy(fixture(name), dir.resolve(as));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path d) {
    try (var paths = Files.walk(d)) {
      paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException | UncheckedIOException e) {
      // best effort
    }
  }
}
