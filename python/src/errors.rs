//! vectrain's errors as Python exceptions, each carrying the command line's message: a
//! missing file is `FileNotFoundError`, an unknown word `KeyError`, a bad option or file
//! `ValueError`, too little memory `MemoryError`.

use std::io::ErrorKind;

use pyo3::PyErr;
use pyo3::exceptions::{
    PyFileNotFoundError, PyIsADirectoryError, PyKeyError, PyMemoryError, PyOSError,
    PyPermissionError, PyRuntimeError, PyValueError,
};
use vectrain::Error;
use vectrain::cli::caller::OptionError;

/// The Python exception for `error`, chosen by the first cause that tells its kind.
pub fn to_python(error: anyhow::Error) -> PyErr {
    let message = format!("{error:#}");
    for cause in error.chain() {
        if let Some(error) = cause.downcast_ref::<Error>() {
            return library_error(error, message);
        }
        if cause.downcast_ref::<OptionError>().is_some() {
            return PyValueError::new_err(message);
        }
        if let Some(error) = cause.downcast_ref::<std::io::Error>() {
            return os_error(error.kind(), message);
        }
    }
    PyRuntimeError::new_err(message)
}

/// The Python exception for a library error.
pub fn from_library(error: Error) -> PyErr {
    to_python(error.into())
}

fn library_error(error: &Error, message: String) -> PyErr {
    match error {
        Error::Io { source, .. } => os_error(source.kind(), message),
        Error::UnknownWord(_) => PyKeyError::new_err(message),
        Error::InsufficientMemory { .. } | Error::DeviceMemory { .. } | Error::OutOfMemory(_) => {
            PyMemoryError::new_err(message)
        }
        Error::NoAdapter { .. } | Error::Gpu { .. } | Error::Diverged { .. } => {
            PyRuntimeError::new_err(message)
        }
        _ => PyValueError::new_err(message),
    }
}

fn os_error(kind: ErrorKind, message: String) -> PyErr {
    match kind {
        ErrorKind::NotFound => PyFileNotFoundError::new_err(message),
        ErrorKind::PermissionDenied => PyPermissionError::new_err(message),
        ErrorKind::IsADirectory => PyIsADirectoryError::new_err(message),
        _ => PyOSError::new_err(message),
    }
}
