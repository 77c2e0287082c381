//! The native half of the `vectrain` Python package (`vectrain._vectrain`): training through
//! the command line's own `train`, phrases, and word vectors whose tables Python sees as numpy arrays.
//! The package's Python half (`vectrain/__init__.py`) gives these their gensim-like calls.

mod arrays;
mod classes;
mod compare;
mod errors;
mod own_table;
mod phrases;
mod queries;
mod tables;
mod train;
mod vectors;
mod words;

use pyo3::prelude::*;

/// The module `vectrain._vectrain`.
#[pymodule]
fn _vectrain(module: &Bound<'_, PyModule>) -> PyResult<()> {
    module.add_class::<vectors::Vectors>()?;
    module.add_class::<phrases::Phrases>()?;
    module.add_function(wrap_pyfunction!(phrases::english_connector_words, module)?)?;
    module.add_function(wrap_pyfunction!(train::train, module)?)?;
    module.add_function(wrap_pyfunction!(train::train_options, module)?)?;
    Ok(())
}
