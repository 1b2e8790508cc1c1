/** Fails a test instead of hanging it when a call blocks (a FIFO opened, a thread pool wedged). */
export function quickly<T>(p: Promise<T>, ms = 5000): Promise<T> {
  return Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`still blocked after ${ms} ms`)), ms))]);
}
