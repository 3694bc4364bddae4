#
# Copyright 2026 gr-diffusion authors.
#
# SPDX-License-Identifier: GPL-3.0-or-later
#
"""Whole flowgraphs (need GNU Radio): top blocks that compose this module's blocks, one
floor above them (gr-satellites' core/ is the model); the apps are argument parsing over
these.

link_flowgraph  the over-the-air link (link_tx -> channel or radio or SigMF -> link_rx)
coded_link      the LDPC-coded link (gr-fec encoder -> chain -> AWGN -> learned_slicer ->
                gr-fec decoder)
third_party     a PSK signal the module did not transmit, through psk_receiver
satellite_app   an amateur satellite's frames from a WAV recording through satellite_receiver's
                path (SatelliteReceiver) into gr-satellites' deframer
loopback        simulated loopback with transmitter hardware, and labelled captures
"""
