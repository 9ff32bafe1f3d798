/** Loading learner plugins: modules whose default export is a LearnerDefinition. */
export async function loadPlugins(paths: string[]): Promise<void> {
  if (paths.length) throw new Error('plugins are not supported yet');
}
