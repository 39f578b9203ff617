//! End-to-end tests of the `ig` binary: the command-line contract of CONVENTIONS.md.

mod audit;
mod cli;
mod contract;
mod families;
mod geometry;
mod input;
mod nn;
mod numeric;
mod reports;
mod sized;
mod tidy;
mod trust;
