//! The fast path shared by the large-file readers (`paths.csv`, lead columns): a plain
//! file (valid UTF-8, no quotes, an optional BOM) is cut after line breaks into one piece
//! per core, and each piece is read on its own thread. `None` anywhere means "read the
//! file the general way", which also names the row and column of any bad cell.

/// Below this size one core reads the whole file.
const PARALLEL_FROM: usize = 1 << 20;

/// `layout` reads the header line; `read_piece` reads one piece of the body (whole lines).
/// The pieces' results come back in file order.
pub(super) fn read_parallel<L: Sync, T: Send>(
    bytes: &[u8],
    layout: impl FnOnce(&[u8]) -> Option<L>,
    read_piece: impl Fn(&[u8], &L) -> Option<T> + Sync,
) -> Option<Vec<T>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    if bytes.contains(&b'"') || std::str::from_utf8(bytes).is_err() {
        return None;
    }
    let header_end = bytes.iter().position(|b| *b == b'\n')?;
    let layout = layout(&bytes[..header_end])?;
    let body = &bytes[header_end + 1..];
    let parts = if body.len() < PARALLEL_FROM {
        1
    } else {
        std::thread::available_parallelism()
            .map_or(1, usize::from)
            .min(8)
    };
    let pieces = split_lines(body, parts);
    let read: Vec<Option<T>> = if pieces.len() == 1 {
        vec![read_piece(pieces[0], &layout)]
    } else {
        std::thread::scope(|scope| {
            let handles: Vec<_> = pieces
                .iter()
                .map(|piece| scope.spawn(|| read_piece(piece, &layout)))
                .collect();
            handles
                .into_iter()
                .map(|h| h.join().ok().flatten())
                .collect()
        })
    };
    read.into_iter().collect()
}

/// `parts` pieces of `body`, cut after line breaks.
fn split_lines(body: &[u8], parts: usize) -> Vec<&[u8]> {
    let mut pieces = Vec::with_capacity(parts);
    let mut start = 0;
    for k in 1..=parts {
        let target = (body.len() * k / parts).max(start);
        let end = if k == parts {
            body.len()
        } else {
            body[target..]
                .iter()
                .position(|b| *b == b'\n')
                .map_or(body.len(), |i| target + i + 1)
        };
        if end > start {
            pieces.push(&body[start..end]);
        }
        start = end;
    }
    if pieces.is_empty() {
        pieces.push(body);
    }
    pieces
}
