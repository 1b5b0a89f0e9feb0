// RUN: sora-opt %s -sora-layout-weights | FileCheck %s

// Each distinct weight gets a 64-byte aligned blob offset in order of first
// appearance; ops naming the same weight share it; the module records the
// blob's size (the end of the last tensor).
// CHECK: module attributes {particle.weights_size = 292 : i64}
// CHECK: particle.weight "a" {blob_offset = 0 : i64} : tensor<3xf32>
// CHECK: particle.weight "b" {blob_offset = 64 : i64} : tensor<4x4xf32>
// CHECK: particle.weight "a" {blob_offset = 0 : i64} : tensor<3xf32>
// CHECK: particle.weight "c" {blob_offset = 128 : i64} : tensor<41xf32>
func.func @g() {
  %a = particle.weight "a" : tensor<3xf32>
  %b = particle.weight "b" : tensor<4x4xf32>
  %a2 = particle.weight "a" : tensor<3xf32>
  %c = particle.weight "c" : tensor<41xf32>
  particle.output "a" %a : tensor<3xf32>
  particle.output "b" %b : tensor<4x4xf32>
  particle.output "a2" %a2 : tensor<3xf32>
  particle.output "c" %c : tensor<41xf32>
  return
}
