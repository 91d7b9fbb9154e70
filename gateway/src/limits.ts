import { type ASTVisitor, type FragmentDefinitionNode, GraphQLError, Kind, type SelectionSetNode, type ValidationContext } from 'graphql';

export interface QueryLimits {
  /** deepest nesting of selections, fragments expanded */
  maxDepth: number;
  /** field selections in the whole operation, fragments expanded */
  maxFields: number;
}

export const DEFAULT_LIMITS: QueryLimits = { maxDepth: 12, maxFields: 1500 };

function measure(selectionSet: SelectionSetNode, fragments: Map<string, FragmentDefinitionNode>, depth: number, seen: Set<string>) {
  let maxDepth = depth;
  let fields = 0;
  for (const selection of selectionSet.selections) {
    let inner: SelectionSetNode | undefined;
    let nextDepth = depth;
    if (selection.kind === Kind.FIELD) {
      fields += 1;
      inner = selection.selectionSet;
      nextDepth = depth + 1;
      maxDepth = Math.max(maxDepth, nextDepth);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      inner = selection.selectionSet;
    } else {
      const name = selection.name.value;
      if (seen.has(name)) continue; // cycles are reported by the standard rules
      inner = fragments.get(name)?.selectionSet;
      seen = new Set(seen).add(name);
    }
    if (inner) {
      const child = measure(inner, fragments, nextDepth, seen);
      maxDepth = Math.max(maxDepth, child.maxDepth);
      fields += child.fields;
    }
  }
  return { maxDepth, fields };
}

/** A validation rule: a too-deep or too-large operation is refused before anything runs. */
export function queryLimitsRule(limits: QueryLimits = DEFAULT_LIMITS) {
  return (context: ValidationContext): ASTVisitor => {
    const fragments = new Map<string, FragmentDefinitionNode>();
    for (const def of context.getDocument().definitions) {
      if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    }
    return {
      OperationDefinition(node) {
        const { maxDepth, fields } = measure(node.selectionSet, fragments, 0, new Set());
        if (maxDepth > limits.maxDepth) {
          context.reportError(
            new GraphQLError(`the operation is ${maxDepth} levels deep; the limit is ${limits.maxDepth}`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_DEEP' },
            }),
          );
        }
        if (fields > limits.maxFields) {
          context.reportError(
            new GraphQLError(`the operation selects ${fields} fields; the limit is ${limits.maxFields}`, {
              nodes: [node],
              extensions: { code: 'GRAPHQL_VALIDATION_FAILED', reason: 'QUERY_TOO_LARGE' },
            }),
          );
        }
      },
    };
  };
}
