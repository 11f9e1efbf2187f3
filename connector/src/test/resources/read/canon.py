# Canonical text of numpy values as the npy reader's schema contract maps them to Spark, compared
# with NpyReadTestBase.canon on the Spark side: structs {a,b}, arrays [a,b], ints in decimal,
# floats as the bits of their float32/float64 value, bytes and text as hex (UTF-8), dates as days
# since 1970-01-01, timestamps and intervals as microseconds (floored), NaT as null.
_FACT = {'h': 3600 * 10**6, 'm': 60 * 10**6, 's': 10**6, 'ms': 1000, 'us': 1, 'D': 86400 * 10**6}

def canon(x):
    a = np.asarray(x)
    if a.dtype.names is not None:
        if a.ndim:
            return '[' + ','.join(canon(a[i]) for i in range(a.shape[0])) + ']'
        return '{' + ','.join(canon(a[n]) for n in a.dtype.names) + '}'
    if a.ndim:
        return '[' + ','.join(canon(a[i]) for i in range(a.shape[0])) + ']'
    k = a.dtype.kind
    if k == 'b':
        return 'true' if a.item() else 'false'
    if k in 'iu':
        return str(int(a.item()))
    if k == 'f':
        if a.dtype.itemsize == 8:
            return str(int(a.reshape(1).astype('<f8').view('<i8')[0]))
        return str(int(a.reshape(1).astype('<f4').view('<i4')[0]))
    if k == 'c':
        return '{' + canon(a.real) + ',' + canon(a.imag) + '}'
    if k == 'S':
        return a.item().hex()
    if k == 'V':
        return a.tobytes().hex()
    if k == 'U':
        return a.item().encode('utf-8').hex()
    if k in 'Mm':
        if np.isnat(a):
            return 'null'
        unit, count = np.datetime_data(a.dtype)
        v = int(a.reshape(1).view(a.dtype.byteorder + 'i8' if a.dtype.byteorder in '<>' else 'i8')[0]) * count
        if k == 'M' and unit in ('Y', 'M', 'W', 'D'):
            return str(int(a.reshape(1).astype('M8[D]').astype('<i8')[0]))
        if unit == 'ns':
            return str(v // 1000)
        return str(v * _FACT[unit])
    raise ValueError('no canonical form for ' + str(a.dtype))

def rows(arr, last=False, matrix=False):
    if arr.ndim == 0:
        return [canon(arr)]
    axis = arr.ndim - 1 if last else 0
    out = []
    for i in range(arr.shape[axis]):
        r = np.take(arr, i, axis=axis)
        if matrix:
            out.append('{' + ','.join(canon(r[j]) for j in range(r.shape[0])) + '}')
        elif arr.dtype.names is not None and r.ndim == 0:
            out.append(canon(r))
        elif arr.dtype.names is not None:
            out.append('{' + ','.join(canon(r[n]) for n in arr.dtype.names) + '}')
        else:
            out.append(canon(r))
    return out
