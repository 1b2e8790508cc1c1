/** fd-lock 1.x ships no types: flock(LOCK_EX | LOCK_NB) on POSIX, LockFile(byte 0) on Windows. */
declare module 'fd-lock' {
  interface FdLock {
    /** true when the lock was taken, false when another descriptor holds it. */
    (fd: number): boolean;
    unlock(fd: number): boolean;
  }
  const lock: FdLock;
  export default lock;
}
