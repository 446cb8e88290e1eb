package io.seqs.bench;

import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.util.Comparator;
import jnr.ffi.Pointer;
import org.lmdbjava.BufferProxy;
import org.lmdbjava.DbiFlags;

/**
 * How lmdbjava passes direct {@link ByteBuffer}s to LMDB and back, written with the standard
 * {@code java.lang.foreign} API only. lmdbjava's own {@code ByteBufferProxy} reads and rewrites
 * the private address field of {@code java.nio.Buffer}, through {@code sun.misc.Unsafe} or
 * reflection, and so fails on a JVM started with {@code --sun-misc-unsafe-memory-access=deny},
 * with or without {@code --add-opens java.base/java.nio}; this one does neither.
 *
 * <p>In: a buffer given to LMDB (a key or a value to put, a key to look up) must be direct; LMDB
 * sees its bytes from position to limit, at the address {@link MemorySegment#ofBuffer} reports.
 * The caller keeps the buffer reachable for the call, as lmdbjava does.
 *
 * <p>Out: a buffer LMDB returns (the value of a get) is a new <em>read-only</em> view of LMDB's own
 * memory: the memory map, or a dirty page inside a write transaction. It is valid only until that
 * transaction ends (commit, abort, or {@code reset} of a read transaction) and, inside a write
 * transaction, only until the next write; whoever keeps the bytes longer must copy them first.
 * Creating the view is a restricted method of the FFM API, so the JVM needs native access for
 * the unnamed module, which LMDB's native calls need anyway.
 *
 * <p>Keys are ordered as LMDB orders them by default, byte by byte as unsigned values, shorter
 * first on a common prefix. Databases with other key orders ({@code MDB_INTEGERKEY},
 * {@code MDB_REVERSEKEY}) and {@code MDB_RESERVE} puts are refused, as nothing here needs them.
 */
final class ForeignBufferProxy extends BufferProxy<ByteBuffer> {
    static final ForeignBufferProxy INSTANCE = new ForeignBufferProxy();

    /** What lmdbjava holds before LMDB has returned anything, and what an empty value reads as. */
    private static final ByteBuffer EMPTY = ByteBuffer.allocateDirect(0).asReadOnlyBuffer();

    private static final Comparator<ByteBuffer> UNSIGNED = ForeignBufferProxy::compareUnsigned;
    private static final Comparator<ByteBuffer> SIGNED = ByteBuffer::compareTo;

    private ForeignBufferProxy() {}

    @Override
    protected ByteBuffer allocate() {
        return EMPTY;
    }

    @Override
    protected void deallocate(ByteBuffer buffer) {
        // views of LMDB's memory own nothing
    }

    @Override
    protected byte[] getBytes(ByteBuffer buffer) {
        byte[] bytes = new byte[buffer.remaining()];
        buffer.get(buffer.position(), bytes);
        return bytes;
    }

    @Override
    protected Comparator<ByteBuffer> getComparator(DbiFlags... flags) {
        for (DbiFlags f : flags) {
            if (f == DbiFlags.MDB_INTEGERKEY || f == DbiFlags.MDB_REVERSEKEY) {
                throw new IllegalArgumentException(
                        f + " key order is not supported by " + ForeignBufferProxy.class.getSimpleName());
            }
        }
        return UNSIGNED;
    }

    @Override
    protected Comparator<ByteBuffer> getSignedComparator() {
        return SIGNED;
    }

    @Override
    protected Comparator<ByteBuffer> getUnsignedComparator() {
        return UNSIGNED;
    }

    @Override
    protected Pointer in(ByteBuffer buffer, Pointer mdbVal) {
        if (!buffer.isDirect()) {
            throw new IllegalArgumentException("LMDB needs a direct ByteBuffer, got a heap buffer");
        }
        // An MDB_val is {size_t mv_size; void *mv_data}, in the machine's byte order, which jnr's
        // Pointer uses. A direct buffer's segment spans [position, limit), so its address is that
        // of the first byte LMDB is to see.
        mdbVal.putLong(STRUCT_FIELD_OFFSET_SIZE, buffer.remaining());
        mdbVal.putAddress(
                STRUCT_FIELD_OFFSET_DATA, MemorySegment.ofBuffer(buffer).address());
        return null;
    }

    @Override
    protected Pointer in(ByteBuffer buffer, int size, Pointer mdbVal) {
        throw new UnsupportedOperationException(
                "MDB_RESERVE puts are not supported by " + ForeignBufferProxy.class.getSimpleName());
    }

    /** A view of LMDB's memory: giving a raw address a size is restricted, hence native access. */
    @Override
    @SuppressWarnings("restricted")
    protected ByteBuffer out(ByteBuffer previous, Pointer mdbVal) {
        long size = mdbVal.getLong(STRUCT_FIELD_OFFSET_SIZE);
        long address = mdbVal.getAddress(STRUCT_FIELD_OFFSET_DATA);
        if (size == 0) {
            return EMPTY;
        }
        if (size < 0 || size > Integer.MAX_VALUE || address == 0) {
            throw new IllegalStateException("LMDB returned an invalid value: " + size + " bytes at address " + address);
        }
        return MemorySegment.ofAddress(address).reinterpret(size).asReadOnly().asByteBuffer();
    }

    /** LMDB's default key order: lexicographic over unsigned bytes, a prefix before its extensions. */
    static int compareUnsigned(ByteBuffer a, ByteBuffer b) {
        int i = a.mismatch(b);
        if (i < 0) {
            return 0;
        }
        if (i == a.remaining() || i == b.remaining()) {
            return Integer.compare(a.remaining(), b.remaining());
        }
        return Integer.compare(
                Byte.toUnsignedInt(a.get(a.position() + i)), Byte.toUnsignedInt(b.get(b.position() + i)));
    }
}
