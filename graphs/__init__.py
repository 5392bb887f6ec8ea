"""The LangGraph supervisor graph: state, runtime context, checkpointer."""
