//! numpy arrays made from vectrain's row-major tables, moved into numpy without a copy.

use numpy::{Element, PyArray1, PyArray2, PyArray3, PyArrayMethods};
use pyo3::prelude::*;

/// `data` as a `[rows, cols]` array (float32 values, or a bool mask).
pub fn matrix<T: Element>(
    py: Python<'_>,
    rows: usize,
    cols: usize,
    data: Vec<T>,
) -> PyResult<Bound<'_, PyArray2<T>>> {
    PyArray1::from_vec(py, data).reshape([rows, cols])
}

/// `data` as a `[batch, len, dim]` float32 array.
pub fn cube(
    py: Python<'_>,
    shape: [usize; 3],
    data: Vec<f32>,
) -> PyResult<Bound<'_, PyArray3<f32>>> {
    PyArray1::from_vec(py, data).reshape(shape)
}

/// `data` as a 1-D float32 array.
pub fn vector(py: Python<'_>, data: Vec<f32>) -> Bound<'_, PyArray1<f32>> {
    PyArray1::from_vec(py, data)
}
