package dev.jtorch.io;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;

/** Writes pickle opcodes, for tests that hand-make model files. */
final class PickleBytes {
    final ByteArrayOutputStream out = new ByteArrayOutputStream();

    PickleBytes op(int... bytes) {
        for (int b : bytes) {
            out.write(b);
        }
        return this;
    }

    PickleBytes i32(int v) {
        return op(v & 0xff, (v >>> 8) & 0xff, (v >>> 16) & 0xff, (v >>> 24) & 0xff);
    }

    PickleBytes unicode(String s) { // BINUNICODE
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op('X').i32(b.length);
        out.writeBytes(b);
        return this;
    }

    PickleBytes shortUnicode(String s) { // SHORT_BINUNICODE
        byte[] b = s.getBytes(StandardCharsets.UTF_8);
        op(0x8c, b.length);
        out.writeBytes(b);
        return this;
    }

    PickleBytes global(String module, String name) {
        op('c');
        out.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
        return this;
    }

    PickleBytes int1(int v) {
        return op('K', v);
    }

    PickleBytes ints(long[] v) {
        op('(');
        for (long x : v) {
            integer(x);
        }
        return op('t');
    }

    /** BININT when it fits 32 bits, else LONG1 with 8 bytes. */
    PickleBytes integer(long v) {
        if (v == (int) v) {
            return op('J').i32((int) v);
        }
        op(0x8a, 8);
        for (int i = 0; i < 8; i++) {
            op((int) (v >>> (8 * i)) & 0xff);
        }
        return this;
    }

    byte[] bytes() {
        return out.toByteArray();
    }

    /** {@code {name: _rebuild_tensor_v2(('storage', torch.<storage>, '0', 'cpu', numel), offset, size, stride, False, OrderedDict())}}. */
    static byte[] tensorDictPickle(String name, String storage, long numel, long offset, long[] size, long[] stride) {
        return new PickleBytes().op(0x80, 2).op('}').op('(').unicode(name)
                .global("torch._utils", "_rebuild_tensor_v2").op('(')
                .op('(').unicode("storage").global("torch", storage).unicode("0").unicode("cpu").integer(numel).op('t')
                .op('Q').integer(offset).ints(size).ints(stride).op(0x89)
                .global("collections", "OrderedDict").op(')').op('R').op('t').op('R')
                .op('u').op('.').bytes();
    }
}
