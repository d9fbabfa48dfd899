//! A CSV file's records worked on in chunks, on several threads, with the results taken
//! in file order: one thread reads, `threads` threads work, the caller's thread takes.
//! Chunks of [`CHUNK_ROWS`] records go through bounded channels, so memory stays a few
//! chunks per thread whatever the file's size. With one thread, the same chunks are
//! worked and taken in turn on the caller's thread.

use crate::run::BoxError;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, mpsc};

/// Records handed to a worker at a time.
pub const CHUNK_ROWS: usize = 4096;

/// Read up to [`CHUNK_ROWS`] records into `chunk`, reusing the records it holds (their
/// buffers are already grown to size): a fresh record per row cost a third of a run.
fn read_chunk<R: std::io::Read>(
    reader: &mut csv::Reader<R>,
    chunk: &mut Vec<csv::ByteRecord>,
) -> Result<(), csv::Error> {
    let mut n = 0;
    while n < CHUNK_ROWS {
        if n == chunk.len() {
            chunk.push(csv::ByteRecord::new());
        }
        if !reader.read_byte_record(&mut chunk[n])? {
            break;
        }
        n += 1;
    }
    chunk.truncate(n);
    Ok(())
}

/// Call `work(line, records)` for each chunk of the remaining records of `reader` (`line`:
/// the CSV line of the chunk's first record, the header being line 1, one line per
/// record) on `threads` threads, and `take` on this thread with each result, in file
/// order. Stops at the first error of reading or of `take`.
pub fn for_each_chunk<R, T>(
    reader: &mut csv::Reader<R>,
    threads: usize,
    work: impl Fn(u64, &[csv::ByteRecord]) -> T + Sync,
    take: &mut dyn FnMut(T) -> Result<(), BoxError>,
) -> Result<(), BoxError>
where
    R: std::io::Read + Send,
    T: Send,
{
    if threads <= 1 {
        let (mut line, mut chunk) = (2u64, Vec::with_capacity(CHUNK_ROWS));
        loop {
            read_chunk(reader, &mut chunk)?;
            if chunk.is_empty() {
                return Ok(());
            }
            take(work(line, &chunk))?;
            line += chunk.len() as u64;
        }
    }
    let (work_tx, work_rx) = mpsc::sync_channel::<(u64, u64, Vec<csv::ByteRecord>)>(threads * 2);
    let (done_tx, done_rx) = mpsc::sync_channel::<(u64, T)>(threads * 2);
    // Worked chunks go back to the reader to be filled again.
    let (free_tx, free_rx) = mpsc::channel::<Vec<csv::ByteRecord>>();
    // The workers share the receiver, which goes with the last of them, so a reader
    // waiting to hand over a chunk stops when they do; this thread drops `done_rx` when it
    // returns early (`take` failed), which stops the workers.
    let work_rx = Arc::new(Mutex::new(work_rx));
    let work = &work;
    std::thread::scope(|s| -> Result<(), BoxError> {
        let done_rx = done_rx;
        let reading = s.spawn(move || -> Result<(), csv::Error> {
            let (mut seq, mut line) = (0u64, 2u64);
            loop {
                let mut chunk = free_rx.try_recv().unwrap_or_else(|_| Vec::with_capacity(CHUNK_ROWS));
                read_chunk(reader, &mut chunk)?;
                if chunk.is_empty() {
                    return Ok(());
                }
                let rows = chunk.len() as u64;
                if work_tx.send((seq, line, chunk)).is_err() {
                    return Ok(());
                }
                (seq, line) = (seq + 1, line + rows);
            }
        });
        for _ in 0..threads {
            let (work_rx, done_tx, free_tx) = (work_rx.clone(), done_tx.clone(), free_tx.clone());
            s.spawn(move || {
                loop {
                    let next = work_rx.lock().map(|rx| rx.recv());
                    let Ok(Ok((seq, line, chunk))) = next else { return };
                    let result = work(line, &chunk);
                    // The reader may have finished; then the chunk is simply dropped.
                    let _ = free_tx.send(chunk);
                    if done_tx.send((seq, result)).is_err() {
                        return;
                    }
                }
            });
        }
        drop((done_tx, work_rx, free_tx));
        // Take results in order as they arrive; later ones wait here (a few per thread).
        let mut pending = BTreeMap::new();
        let mut next = 0u64;
        for (seq, result) in done_rx.iter() {
            pending.insert(seq, result);
            while let Some(result) = pending.remove(&next) {
                take(result)?;
                next += 1;
            }
        }
        reading
            .join()
            .map_err(|_| -> BoxError { "certify: the file reader stopped".into() })??;
        Ok(())
    })
}
