//! A minimal zip writer for entries whose deflate data is made elsewhere
//! (the XLSX sheets are compressed in chunks on worker threads, see
//! xlsx.rs). Sizes and CRC are known before an entry is written, so there are
//! no data descriptors; ZIP64 fields are added only when a size or offset
//! needs them.

use flate2::{Compress, Compression, FlushCompress, Status};
use std::io::{self, Write};

const U32_MAX: u64 = 0xFFFF_FFFF;

struct Entry {
    name: String,
    crc: u32,
    compressed: u64,
    uncompressed: u64,
    offset: u64,
}

pub(crate) struct ZipOut<W: Write> {
    w: W,
    at: u64,
    entries: Vec<Entry>,
}

impl<W: Write> ZipOut<W> {
    pub(crate) fn new(w: W) -> Self {
        ZipOut {
            w,
            at: 0,
            entries: Vec::new(),
        }
    }

    /// Writes one deflated entry; `body` must write exactly `compressed` bytes.
    pub(crate) fn entry(
        &mut self,
        name: &str,
        crc: u32,
        uncompressed: u64,
        compressed: u64,
        body: impl FnOnce(&mut W) -> io::Result<()>,
    ) -> io::Result<()> {
        let zip64 = uncompressed >= U32_MAX || compressed >= U32_MAX;
        let mut h = Vec::with_capacity(64 + name.len());
        h.extend_from_slice(&0x0403_4b50u32.to_le_bytes());
        h.extend_from_slice(&(if zip64 { 45u16 } else { 20u16 }).to_le_bytes());
        h.extend_from_slice(&0u16.to_le_bytes()); // flags
        h.extend_from_slice(&8u16.to_le_bytes()); // deflate
        h.extend_from_slice(&0u16.to_le_bytes()); // time 00:00
        h.extend_from_slice(&0x21u16.to_le_bytes()); // date 1980-01-01
        h.extend_from_slice(&crc.to_le_bytes());
        let (c32, u32_) = if zip64 {
            (U32_MAX as u32, U32_MAX as u32)
        } else {
            (compressed as u32, uncompressed as u32)
        };
        h.extend_from_slice(&c32.to_le_bytes());
        h.extend_from_slice(&u32_.to_le_bytes());
        h.extend_from_slice(&(name.len() as u16).to_le_bytes());
        h.extend_from_slice(&(if zip64 { 20u16 } else { 0u16 }).to_le_bytes());
        h.extend_from_slice(name.as_bytes());
        if zip64 {
            h.extend_from_slice(&1u16.to_le_bytes());
            h.extend_from_slice(&16u16.to_le_bytes());
            h.extend_from_slice(&uncompressed.to_le_bytes());
            h.extend_from_slice(&compressed.to_le_bytes());
        }
        self.w.write_all(&h)?;
        body(&mut self.w)?;
        self.entries.push(Entry {
            name: name.to_owned(),
            crc,
            compressed,
            uncompressed,
            offset: self.at,
        });
        self.at += h.len() as u64 + compressed;
        Ok(())
    }

    /// Compresses and writes a small entry held in memory.
    pub(crate) fn small(&mut self, name: &str, data: &[u8], level: u8) -> io::Result<()> {
        let mut z = Vec::new();
        deflate(
            &mut new_compressor(level),
            data,
            &mut z,
            FlushCompress::Finish,
        )?;
        let mut crc = crc32fast::Hasher::new();
        crc.update(data);
        self.entry(
            name,
            crc.finalize(),
            data.len() as u64,
            z.len() as u64,
            |w| w.write_all(&z),
        )
    }

    /// Writes the central directory; returns the writer.
    pub(crate) fn finish(mut self) -> io::Result<W> {
        let cd_start = self.at;
        let mut cd = Vec::new();
        for e in &self.entries {
            let mut extra = Vec::new();
            if e.uncompressed >= U32_MAX {
                extra.extend_from_slice(&e.uncompressed.to_le_bytes());
            }
            if e.compressed >= U32_MAX {
                extra.extend_from_slice(&e.compressed.to_le_bytes());
            }
            if e.offset >= U32_MAX {
                extra.extend_from_slice(&e.offset.to_le_bytes());
            }
            let zip64 = !extra.is_empty();
            let version = if zip64 { 45u16 } else { 20u16 };
            let cap = |v: u64| v.min(U32_MAX) as u32;
            cd.extend_from_slice(&0x0201_4b50u32.to_le_bytes());
            cd.extend_from_slice(&version.to_le_bytes()); // made by
            cd.extend_from_slice(&version.to_le_bytes()); // needed
            cd.extend_from_slice(&0u16.to_le_bytes());
            cd.extend_from_slice(&8u16.to_le_bytes());
            cd.extend_from_slice(&0u16.to_le_bytes());
            cd.extend_from_slice(&0x21u16.to_le_bytes());
            cd.extend_from_slice(&e.crc.to_le_bytes());
            cd.extend_from_slice(&cap(e.compressed).to_le_bytes());
            cd.extend_from_slice(&cap(e.uncompressed).to_le_bytes());
            cd.extend_from_slice(&(e.name.len() as u16).to_le_bytes());
            let extra_len = if zip64 { 4 + extra.len() } else { 0 };
            cd.extend_from_slice(&(extra_len as u16).to_le_bytes());
            cd.extend_from_slice(&0u16.to_le_bytes()); // comment
            cd.extend_from_slice(&0u16.to_le_bytes()); // disk
            cd.extend_from_slice(&0u16.to_le_bytes()); // internal attributes
            cd.extend_from_slice(&0u32.to_le_bytes()); // external attributes
            cd.extend_from_slice(&cap(e.offset).to_le_bytes());
            cd.extend_from_slice(e.name.as_bytes());
            if zip64 {
                cd.extend_from_slice(&1u16.to_le_bytes());
                cd.extend_from_slice(&(extra.len() as u16).to_le_bytes());
                cd.extend_from_slice(&extra);
            }
        }
        let cd_len = cd.len() as u64;
        let count = self.entries.len() as u64;
        if cd_start >= U32_MAX || cd_len >= U32_MAX || count >= 0xFFFF {
            let eocd64 = cd_start + cd_len;
            cd.extend_from_slice(&0x0606_4b50u32.to_le_bytes());
            cd.extend_from_slice(&44u64.to_le_bytes());
            cd.extend_from_slice(&45u16.to_le_bytes());
            cd.extend_from_slice(&45u16.to_le_bytes());
            cd.extend_from_slice(&0u32.to_le_bytes());
            cd.extend_from_slice(&0u32.to_le_bytes());
            cd.extend_from_slice(&count.to_le_bytes());
            cd.extend_from_slice(&count.to_le_bytes());
            cd.extend_from_slice(&cd_len.to_le_bytes());
            cd.extend_from_slice(&cd_start.to_le_bytes());
            cd.extend_from_slice(&0x0706_4b50u32.to_le_bytes());
            cd.extend_from_slice(&0u32.to_le_bytes());
            cd.extend_from_slice(&eocd64.to_le_bytes());
            cd.extend_from_slice(&1u32.to_le_bytes());
        }
        cd.extend_from_slice(&0x0605_4b50u32.to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes());
        cd.extend_from_slice(&(count.min(0xFFFF) as u16).to_le_bytes());
        cd.extend_from_slice(&(count.min(0xFFFF) as u16).to_le_bytes());
        cd.extend_from_slice(&(cd_len.min(U32_MAX) as u32).to_le_bytes());
        cd.extend_from_slice(&(cd_start.min(U32_MAX) as u32).to_le_bytes());
        cd.extend_from_slice(&0u16.to_le_bytes());
        self.w.write_all(&cd)?;
        self.w.flush()?;
        Ok(self.w)
    }
}

/// A raw deflate compressor (no zlib header): zip entries hold raw deflate.
pub(crate) fn new_compressor(level: u8) -> Compress {
    Compress::new(Compression::new(u32::from(level.min(9))), false)
}

/// Compresses `input` onto `out`. With `FlushCompress::Sync` the output
/// ends on a byte boundary without a final block, so independently
/// compressed pieces can be joined into one stream; the last piece of a
/// stream uses `FlushCompress::Finish`.
pub(crate) fn deflate(
    c: &mut Compress,
    input: &[u8],
    out: &mut Vec<u8>,
    flush: FlushCompress,
) -> io::Result<()> {
    c.reset();
    let start = c.total_in();
    loop {
        if out.capacity() - out.len() < 8192 {
            out.reserve(input.len() / 4 + 16 * 1024);
        }
        let done = (c.total_in() - start) as usize;
        let status = c
            .compress_vec(&input[done..], out, flush)
            .map_err(io::Error::other)?;
        let done = (c.total_in() - start) as usize;
        match flush {
            FlushCompress::Finish if status == Status::StreamEnd => return Ok(()),
            FlushCompress::Finish => {}
            // Flushed once all input is in and the output did not fill up.
            _ if done == input.len() && out.len() < out.capacity() => return Ok(()),
            _ => {}
        }
    }
}
