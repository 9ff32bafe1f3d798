/**
 * Knowledge distillation (Hinton et al. 2015), as Learning without Forgetting uses it (Li & Hoiem 2016,
 * Eq. 2):
 *
 *   KD(z, z_old) = T² · (1/B) Σ_k [ −Σ_c softmax(z_old,k / T)_c · log softmax(z_k / T)_c ]
 *
 * the cross-entropy of the student's temperature-softened outputs against the teacher's, scaled by T² so
 * that its gradient keeps the same size whatever T (Hinton et al. 2015, Sec. 2). Its gradient with respect to
 * z is T·(softmax(z/T) − softmax(z_old/T))/B: zero exactly when student and teacher agree, where it is minimal.
 */
import * as tf from '@tensorflow/tfjs';

export function distillationLoss(student: tf.Tensor2D, teacher: tf.Tensor2D, temperature: number): tf.Scalar {
  return tf.tidy(() => {
    const targets = tf.softmax(tf.div(teacher, temperature));
    const logp = tf.logSoftmax(tf.div(student, temperature));
    const perExample = tf.neg(tf.sum(tf.mul(targets, logp), 1));
    return tf.mul(tf.mean(perExample), temperature * temperature) as tf.Scalar;
  });
}
