//! Resident memory of a process, from `/proc/<pid>/status` (Linux).

use std::io;

/// The memory lines of `/proc/<pid>/status` the report uses, in KiB.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Memory {
    /// `VmRSS`: resident now.
    pub rss_kib: u64,
    /// `VmHWM`: the most that was ever resident.
    pub hwm_kib: u64,
}

/// Reads `VmRSS` and `VmHWM` of `pid`.
///
/// # Errors
/// The file cannot be read (the process is gone, or this is not Linux), or it lacks
/// one of the two lines.
pub fn read(pid: u32) -> io::Result<Memory> {
    let text = std::fs::read_to_string(format!("/proc/{pid}/status"))?;
    parse(&text).ok_or_else(|| {
        io::Error::new(
            io::ErrorKind::InvalidData,
            format!("/proc/{pid}/status has no VmRSS or VmHWM line"),
        )
    })
}

/// Parses the text of a `/proc/<pid>/status` file.
pub fn parse(status: &str) -> Option<Memory> {
    Some(Memory {
        rss_kib: field_kib(status, "VmRSS:")?,
        hwm_kib: field_kib(status, "VmHWM:")?,
    })
}

fn field_kib(status: &str, name: &str) -> Option<u64> {
    let line = status.lines().find(|l| l.starts_with(name))?;
    line[name.len()..].split_whitespace().next()?.parse().ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_the_memory_lines() {
        let status = "Name:\tportcullis\nVmHWM:\t   20480 kB\nVmRSS:\t   18432 kB\nThreads:\t9\n";
        assert_eq!(
            parse(status),
            Some(Memory {
                rss_kib: 18432,
                hwm_kib: 20480
            })
        );
        assert_eq!(parse("Name:\tx\n"), None);
    }

    #[test]
    fn reads_this_process() {
        let memory = read(std::process::id()).unwrap();
        assert!(memory.rss_kib > 0 && memory.hwm_kib >= memory.rss_kib);
    }
}
