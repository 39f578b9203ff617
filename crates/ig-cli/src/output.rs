//! Writing generated files: all or nothing, and only inside the output folder.
//!
//! Every file is first written in full to a temporary file in the output folder, then all
//! are renamed into place. A rename replaces a symbolic link by the new file rather than
//! writing through it, so nothing outside the folder is ever written; a reader never sees
//! a half-written file; a failure before the renames leaves the folder as it was.

use crate::Failure;
use std::io::Write;
use std::path::Path;

/// Writes `files` (plain file names and their text) into `dir`, creating it if needed.
pub fn write_files(dir: &Path, files: &[(String, String)]) -> Result<(), Failure> {
    let failed =
        |path: &Path, e: std::io::Error| Failure::input(format!("{}: {e}", path.display()));
    for (name, _) in files {
        let plain = Path::new(name).file_name().and_then(|n| n.to_str()) == Some(name.as_str());
        if !plain || name.starts_with('.') {
            return Err(Failure::input(format!("'{name}' is not a plain file name")));
        }
    }
    std::fs::create_dir_all(dir).map_err(|e| failed(dir, e))?;
    let mut staged = Vec::with_capacity(files.len());
    for (name, text) in files {
        let mut builder = tempfile::Builder::new();
        builder.prefix(".ig-");
        // As `fs::write` would create it (the umask applies), not private as temporaries are.
        #[cfg(unix)]
        builder.permissions(std::os::unix::fs::PermissionsExt::from_mode(0o666));
        let mut file = builder.tempfile_in(dir).map_err(|e| failed(dir, e))?;
        file.write_all(text.as_bytes())
            .and_then(|()| file.as_file().sync_data())
            .map_err(|e| failed(file.path(), e))?;
        staged.push((file, dir.join(name)));
    }
    for (file, path) in staged {
        file.persist(&path).map_err(|e| failed(&path, e.error))?;
    }
    Ok(())
}
