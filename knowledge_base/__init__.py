"""The Spanish knowledge base: documents, ingestion, embeddings, a Chroma index and fused search."""

from knowledge_base.base import KnowledgeBase, open_knowledge_base
from knowledge_base.documents import Chunk, Document, Hit

__all__ = ["Chunk", "Document", "Hit", "KnowledgeBase", "open_knowledge_base"]
