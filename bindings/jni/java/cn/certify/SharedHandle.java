package cn.certify;

import java.util.concurrent.locks.ReentrantReadWriteLock;

/**
 * A native handle that many threads use at once and one close frees: calls hold the read
 * lock (they run in parallel; the native side is thread-safe), close takes the write lock
 * (it waits for calls in progress, frees once, and leaves 0, which the native side refuses
 * with code 100).
 */
final class SharedHandle {
    /** A native call on the live handle. */
    interface Call<T> { T on(long handle) throws CertifyException; }

    /** The native free function of the handle's kind. */
    interface Free { void free(long handle); }

    private long handle;
    private final ReentrantReadWriteLock lock = new ReentrantReadWriteLock();

    SharedHandle(long handle) { this.handle = handle; }

    /** Run a call beside any others (0 once closed). */
    <T> T call(Call<T> call) throws CertifyException {
        lock.readLock().lock();
        try {
            return call.on(handle);
        } finally {
            lock.readLock().unlock();
        }
    }

    /** Free the handle once calls in progress have returned; later calls see 0. */
    void close(Free free) {
        lock.writeLock().lock();
        try {
            long h = handle;
            handle = 0;
            free.free(h);
        } finally {
            lock.writeLock().unlock();
        }
    }
}
